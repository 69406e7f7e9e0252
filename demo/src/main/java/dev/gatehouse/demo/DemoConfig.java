package dev.gatehouse.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the gateway configuration for the demo, next to the development certificates it uses. */
final class DemoConfig {

  static final String FILE_NAME = "gatehouse-dev.yaml";
  static final int GATEWAY_PORT = 8443;
  static final int ADMIN_PORT = 9443;
  /** The admin client certificate's file name (without extension) in the certificates directory. */
  static final String ADMIN_CLIENT = "admin-client";
  /** The gateway's client id at the demo IdP for browser sign-in (a public client: PKCE, no secret). */
  static final String BROWSER_CLIENT_ID = "gatehouse-demo-web";

  private DemoConfig() {}

  /**
   * Writes {@code certificates/gatehouse-dev.yaml} for the certificates in {@code certificates} and the policies in
   * {@code policies}, and returns its path.
   */
  static Path write(Path certificates, Path policies) throws IOException {
    Path file = certificates.resolve(FILE_NAME);
    // the configuration loader resolves relative paths against the file's own directory
    String policyDirectory = certificates.toAbsolutePath().normalize().relativize(policies.toAbsolutePath().normalize())
        .toString().replace('\\', '/');
    String yaml = """
        # Written by `gatehouse dev` each time the demo starts; edits are overwritten.
        # Paths are relative to this file.
        name: gatehouse-dev
        listen:
          host: 127.0.0.1
          port: %d
        tls:
          certificate: server.crt
          key: server.key
          # not the production default: a year of HSTS would make browsers insist on https for every localhost site
          hsts: "max-age=0"
        issuers:
          - id: demo
            issuer: %s
            audience: %s
            trustedCertificates: ca.crt
            claims:
              groups: [groups]
              tenant: tenant
        policies:
          directory: "%s"
        # the admin listener: health for anyone, everything else with a client certificate from the dev CA
        admin:
          host: 127.0.0.1
          port: %d
          clientCa: ca.crt
        accessLog:
          stdout: true
        # browser sign-in at the demo IdP; session cookies are encrypted with a key made at start-up (no cookieKeys),
        # so restarting the demo signs everyone out
        browser:
          issuer: demo
          clientId: %s
          publicOrigin: https://localhost:%d
        """.formatted(GATEWAY_PORT, DemoIdentityProvider.ISSUER, DemoIdentityProvider.AUDIENCE, policyDirectory,
        ADMIN_PORT, BROWSER_CLIENT_ID, GATEWAY_PORT);
    Files.writeString(file, yaml);
    return file;
  }
}

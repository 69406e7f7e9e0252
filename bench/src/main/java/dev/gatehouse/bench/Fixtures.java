package dev.gatehouse.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.tls.DevCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Writes what the end-to-end benchmark ({@code bench/run.sh}) needs into one directory: an RSA-4096 certificate for
 * localhost and its CA, a static JWK Set with an RS256 key and a token signed with it (permission group, MFA, recent
 * authentication, tenant), a policy with {@value #ROUTES} routes, and the gateway's configuration.
 *
 * <p>Usage: {@code Fixtures DIR GATEWAY_PORT UPSTREAM_HTTP_PORT UPSTREAM_HTTPS_PORT}
 */
public final class Fixtures {

  static final int ROUTES = 120;
  static final String ISSUER = "https://idp.bench.invalid/realms/corp";
  static final String AUDIENCE = "gatehouse";
  /** The request every load generator sends: a route that needs the billing permission, recent MFA and the tenant. */
  static final String PATH = "/billing/tenants/acme/invoices/42";

  private Fixtures() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: Fixtures DIR GATEWAY_PORT UPSTREAM_HTTP_PORT UPSTREAM_HTTPS_PORT");
      System.exit(2);
    }
    Path dir = Path.of(args[0]).toAbsolutePath();
    int gatewayPort = Integer.parseInt(args[1]);
    int upstreamPort = Integer.parseInt(args[2]);
    int upstreamTlsPort = Integer.parseInt(args[3]);
    Files.createDirectories(dir.resolve("policies"));

    DevCertificates certificates = DevCertificates.in(dir, 4096);
    certificates.ca();
    certificates.server("server", List.of("localhost"), List.of("127.0.0.1", "::1"));

    RSAKey key = new RSAKeyGenerator(2048).keyID("bench-1").algorithm(JWSAlgorithm.RS256).generate();
    Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
    Files.writeString(dir.resolve("token"), token(key));
    Files.writeString(dir.resolve("policies/bench.yaml"), policy(upstreamPort));
    Files.writeString(dir.resolve("gatehouse.yaml"), config(gatewayPort, upstreamTlsPort));
    System.out.println("fixtures in " + dir + ": " + ROUTES + " routes, request path " + PATH);
  }

  private static String token(RSAKey key) throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("alice")
        .claim("email", "alice@example.com")
        .claim("groups", List.of("finance", "staff"))
        .claim("tenant", "acme")
        .claim("amr", List.of("pwd", "otp"))
        .claim("auth_time", now.getEpochSecond())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofHours(8))))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** A SaaS-like policy: the benchmarked billing route among many others of the same shapes. */
  static String policy(int upstreamPort) {
    String upstream = "http://127.0.0.1:" + upstreamPort;
    StringBuilder yaml = new StringBuilder("""
        permissions:
          billing: [finance]
          user_data: [support]
          messages.manual: [support, marketing]
          messages.auto: [marketing]
          app_settings: [admins]
        routes:
          - id: billing-invoices
            path: /billing/tenants/{tenant}/invoices/**
            upstream: %s
            deny:
              - name: no-contractors
                emailDomains: [contractors.example.com]
            allow:
              - name: finance-with-recent-mfa
                permissions: [billing]
                mfa: {maxAge: 12h}
                tenant: "{tenant}"
          - id: public-status
            path: /public/**
            upstream: %s
            public: true
        """.formatted(upstream, upstream));
    String[] permissions = {"user_data", "messages.manual", "messages.auto", "app_settings", "billing"};
    for (int i = 1; i < ROUTES; i++) {
      String permission = permissions[i % permissions.length];
      yaml.append("""
            - id: service-%d
              path: /service-%d/tenants/{tenant}/items/**
              upstream: %s
              allow:
                - permissions: [%s]
                  mfa: true
                  tenant: "{tenant}"
          """.formatted(i, i, upstream, permission));
    }
    return yaml.toString();
  }

  /** Event-loop verticles: {@code GATEHOUSE_INSTANCES}, or 2. */
  private static int instances() {
    String value = System.getenv("GATEHOUSE_INSTANCES");
    return value == null || value.isBlank() ? 2 : Integer.parseInt(value.trim());
  }

  static String config(int gatewayPort, int upstreamTlsPort) {
    return """
        name: gatehouse-bench
        listen:
          host: 127.0.0.1
          port: %d
          instances: %d
        tls:
          certificate: server.crt
          key: server.key
          reloadInterval: 0s
        issuers:
          - id: corp
            issuer: %s
            audience: %s
            algorithms: [RS256]
            jwksUri: https://localhost:%d/jwks.json
            trustedCertificates: ca.crt
        policies:
          directory: policies
          pollInterval: 0s
        limits:
          maxConnections: 20000
          idleTimeout: 1h
          headerTimeout: 10m
        accessLog:
          stdout: false
          file: access.log
        """.formatted(gatewayPort, instances(), ISSUER, AUDIENCE, upstreamTlsPort);
  }
}

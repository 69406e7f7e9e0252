package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.GatewayProcess;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line as operators use it: {@code java -jar gatehouse.jar ...}, exit codes and messages. */
class CliIT {

  static TestIdp idp;

  @BeforeAll
  static void start() {
    idp = TestIdp.start();
  }

  @AfterAll
  static void stop() {
    idp.close();
  }

  @Test
  void checkPolicyAcceptsTheExamplePolicies() throws Exception {
    GatewayProcess.Finished r = GatewayProcess.run("check-policy", repository().resolve("policies").toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("route(s)");
  }

  @Test
  void checkPolicyPrintsEveryProblemWithFileAndLineAndFails(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("broken.yaml"), """
        permissions:
          billing:
            grantedTo: [finance]
        routes:
          - id: invoices
            path: /billing/**
            upstream: http://127.0.0.1:9
            allow:
              - permissions: [biling]
          - id: tenants
            path: /tenants/{id}/**
            upstrem: http://127.0.0.1:9
        """);

    GatewayProcess.Finished r = GatewayProcess.run("check-policy", dir.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr())
        .contains(dir.resolve("broken.yaml") + ":9:23: /routes/0/allow/0/permissions/0: unknown permission 'biling' (defined: [billing])")
        .contains(dir.resolve("broken.yaml") + ":12:5: /routes/1/upstrem: unknown key 'upstrem'")
        .contains(dir.resolve("broken.yaml") + ":10:5: /routes/1: missing required key 'upstream'")
        .contains("3 problems");
  }

  @Test
  void runRefusesAnInvalidConfigurationWithFileAndLine(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, """
        listen:
          port: "eighty"
        tls:
          certificate: %s
          key: %s
        issuers:
          - issuer: http://idp.example
            audience: gatehouse
            algorithms: [HS256]
        policies:
          directory: %s
        """.formatted(TestPki.server().certificate(), TestPki.server().key(), repository().resolve("policies")));

    GatewayProcess.Finished r = GatewayProcess.run("run", "--config", config.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr())
        .contains(config + ":2:9: /listen/port: expected an integer, found a string 'eighty'")
        .contains(config + ":7:13: /issuers/0/issuer: 'http://idp.example' (expected: an https:// URL)")
        .contains(config + ":9:17: /issuers/0/algorithms: 'HS256' is not allowed");
  }

  @Test
  void runRefusesACertificateWeakerThanRsa4096() throws Exception {
    var weak = TestPki.weakServer();
    Path config = TestGateway.builder().idp(idp).policy("saas.yaml", Policies.SAAS)
        .certificate(weak.certificate(), weak.key()).write();

    GatewayProcess.Finished r = GatewayProcess.run("run", "--config", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("the server certificate's RSA key has 2048 bits; at least 4096 bits are required");
  }

  @Test
  void runStopsCleanlyOnSigterm() throws Exception {
    Path config = TestGateway.builder().idp(idp).policy("saas.yaml", Policies.SAAS).write();
    try (GatewayProcess gateway = GatewayProcess.start(List.of(), "run", "--config", config.toString())) {
      gateway.awaitListening();

      assertThat(gateway.stop()).isZero();
    }
  }

  @Test
  void healthProbesTheAdminListenerOfARunningGateway() throws Exception {
    Path config = TestGateway.builder().idp(idp).policy("saas.yaml", Policies.SAAS)
        .section("admin", "host: 127.0.0.1\nport: " + freePort() + "\nclientCa: " + TestPki.ca().certificate()).write();
    try (GatewayProcess gateway = GatewayProcess.start(List.of(), "run", "--config", config.toString())) {
      gateway.awaitListening();

      GatewayProcess.Finished alive = GatewayProcess.run("health", "--config", config.toString());
      GatewayProcess.Finished ready = GatewayProcess.run("health", "--ready", "--config", config.toString());

      assertThat(alive.exitCode()).as(alive.stderr()).isZero();
      assertThat(alive.stdout()).contains("alive");
      assertThat(ready.exitCode()).as(ready.stdout()).isZero();
      gateway.stop();
    }
    GatewayProcess.Finished down = GatewayProcess.run("health", "--config", config.toString());
    assertThat(down.exitCode()).isEqualTo(1);
    assertThat(down.stderr()).contains("the admin listener did not answer");
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "check-policy", "verify-log", "health", "dev"})
  void everyCommandHasHelp(String command) throws Exception {
    GatewayProcess.Finished r = GatewayProcess.run(command, "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("Usage: gatehouse " + command);
  }

  static Path repository() {
    return GatewayProcess.jar().toAbsolutePath().getParent().getParent().getParent();
  }
}

package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.GatewayProcess;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server key may be encrypted (PKCS#8 PEM or PKCS#12); its passphrase comes from a file or the environment. */
class EncryptedKeyIT {

  /** Nothing listens there; these tests only need a gateway that starts (it refuses tokens until keys arrive). */
  static final String NO_IDP = "https://localhost:9/idp";

  static final String PUBLIC_ONLY = """
      routes:
        - id: public
          path: /public/**
          upstream: ${UPSTREAM}
          public: true
      """;

  @Test
  void anEncryptedKeyWithTheRightPassphraseFromAFileStartsTheGateway(@TempDir Path dir) throws Exception {
    Path passphrase = Files.writeString(dir.resolve("tls-passphrase"), "correct horse battery staple\n");
    try (TestGateway gateway = TestGateway.builder().issuer(NO_IDP).policy("p.yaml", PUBLIC_ONLY)
        .tls("certificate: " + TestPki.server().certificate()
            + "\nkey: " + TestPki.encryptedServerKey("correct horse battery staple")
            + "\nkeyPassphrase: file:" + passphrase).start()) {
      assertThat(gateway.get("/public/x", null).status()).isEqualTo(502); // TLS works; nothing listens upstream
    }
  }

  @Test
  void theWrongPassphraseFailsWithAClearMessage(@TempDir Path dir) throws Exception {
    Path passphrase = Files.writeString(dir.resolve("tls-passphrase"), "wrong");

    assertThatThrownBy(() -> TestGateway.builder().issuer(NO_IDP).policy("p.yaml", PUBLIC_ONLY)
        .tls("certificate: " + TestPki.server().certificate()
            + "\nkey: " + TestPki.encryptedServerKey("correct horse battery staple")
            + "\nkeyPassphrase: file:" + passphrase).start())
        .hasMessageContaining("cannot decrypt the private key: wrong passphrase");
  }

  @Test
  void anEncryptedKeyWithoutAPassphraseSaysWhatToConfigure() {
    assertThatThrownBy(() -> TestGateway.builder().issuer(NO_IDP).policy("p.yaml", PUBLIC_ONLY)
        .tls("certificate: " + TestPki.server().certificate()
            + "\nkey: " + TestPki.encryptedServerKey("correct horse battery staple")).start())
        .hasMessageContaining("the private key is encrypted; configure tls.keyPassphrase");
  }

  @Test
  void aPassphraseWrittenInlineIsRefused() {
    assertThatThrownBy(() -> TestGateway.builder().issuer(NO_IDP).policy("p.yaml", PUBLIC_ONLY)
        .tls("certificate: " + TestPki.server().certificate()
            + "\nkey: " + TestPki.encryptedServerKey("correct horse battery staple")
            + "\nkeyPassphrase: correct horse battery staple").start())
        .hasMessageContaining("/tls/keyPassphrase: a secret must not be written inline (expected: ${ENV_VAR} or file:/path)");
  }

  @Test
  void aPkcs12FileWithThePassphraseFromTheEnvironmentStartsTheGatewayProcess() throws Exception {
    Path config = TestGateway.builder().issuer(NO_IDP).policy("p.yaml", PUBLIC_ONLY)
        .tls("pkcs12: " + TestPki.serverPkcs12("p12-secret") + "\nkeyPassphrase: ${GATEHOUSE_TLS_PASSPHRASE}").write();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", GatewayProcess.jar().toString(), "run", "--config", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("GATEHOUSE_TLS_PASSPHRASE", "p12-secret");
    Process process = builder.start();
    try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))) {
      String line;
      String listening = null;
      while (listening == null && (line = reader.readLine()) != null) {
        if (line.contains("gatehouse listening on https://")) {
          listening = line;
        }
      }
      assertThat(listening).as("the gateway started").isNotNull();
      int port = Integer.parseInt(listening.replaceAll(".*:(\\d+) with policy.*", "$1"));
      assertThat(RemoteClient.get(port, "/public/x", null).status()).isEqualTo(502);
    } finally {
      process.destroy();
      process.waitFor();
    }
  }
}

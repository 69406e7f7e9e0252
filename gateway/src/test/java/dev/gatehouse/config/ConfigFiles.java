package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The gatehouse.yaml that config loader tests write and load, next to the placeholder files {@link #MINIMAL} names. */
final class ConfigFiles {

  /** Lines 1-8: the smallest valid configuration; tests append to it or replace parts of it. */
  static final String MINIMAL = """
      tls:
        certificate: certs/server.pem
        key: certs/server.key
      issuers:
        - issuer: https://idp.example.com
          audience: gatehouse
      policies:
        directory: policies
      """;

  private ConfigFiles() {}

  /**
   * Writes the placeholder certificate and key and creates the policy directory that {@link #MINIMAL} names, and
   * returns where gatehouse.yaml goes in {@code dir} (not written yet: {@link #load} and {@link #errors} do that).
   */
  static Path createPlaceholderFiles(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("certs"));
    Files.writeString(dir.resolve("certs/server.pem"), "certificate");
    Files.writeString(dir.resolve("certs/server.key"), "key");
    Files.createDirectories(dir.resolve("policies"));
    return dir.resolve("gatehouse.yaml");
  }

  static GatewayConfig load(Path file, String yaml, Map<String, String> env) throws Exception {
    Files.writeString(file, yaml);
    return GatewayConfigLoader.load(file, env);
  }

  /** The problems, each as {@code file:line:col: pointer: message}, for which the loader refuses {@code yaml}. */
  static List<String> errors(Path file, String yaml, Map<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(file, yaml, env));
    assertThat(e).as("the configuration should have been refused").isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }

  /** {@code file:line:col: pointer: message}, as a problem in {@code file} prints itself. */
  static String at(Path file, int line, int column, String pointerAndMessage) {
    return file + ":" + line + ":" + column + ": " + pointerAndMessage;
  }
}

package dev.gatehouse.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps README.md true: its complete gatehouse.yaml example must load without a single problem. */
class ReadmeExamplesTest {

  static final Path README = Path.of("..", "README.md");

  @Test
  void theConfigurationExampleIsValid(@TempDir Path dir) throws Exception {
    String example = yamlBlockStartingWith("# gatehouse.yaml");
    Path config = dir.resolve("gatehouse.yaml");
    Files.writeString(config, example);
    // the example refers to files an operator would have; create them where it expects them
    for (String relative : List.of("tls/server.crt", "tls/server.key", "tls/admin-ca.pem", "tls/idp-ca.pem",
        "tls/internal-ca.pem", "keys/assertion-keys.json", "keys/session-keys.json")) {
      Files.createDirectories(dir.resolve(relative).getParent());
      Files.writeString(dir.resolve(relative), "placeholder");
    }
    Files.createDirectories(dir.resolve("policies"));
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(dir.resolve("secrets/audit-chain.key"), "0123456789abcdef".repeat(4) + "\n");

    GatewayConfig loaded = GatewayConfigLoader.load(config, Map.of("GATEHOUSE_CLIENT_SECRET", "from-the-environment"));

    assertThat(loaded.issuers()).hasSize(1);
    assertThat(loaded.listener().port()).isEqualTo(8443);
    assertThat(loaded.assertion().header()).isEqualTo("X-Gatehouse-Assertion");
    assertThat(loaded.assertion().keys()).isEqualTo(dir.resolve("keys/assertion-keys.json"));
    assertThat(loaded.identityHeaders()).isEqualTo(GatewayConfig.IdentityHeaders.DEFAULT);
    assertThat(loaded.accessLog().files()).hasSize(1);
    assertThat(loaded.accessLog().hmacKey()).isNotNull();
    assertThat(loaded.accessLog().trustedProxies()).hasSize(1);
    assertThat(loaded.browser().issuerId()).isEqualTo(loaded.issuers().get(0).id());
    assertThat(loaded.browser().clientSecret().reveal()).isEqualTo("from-the-environment");
    assertThat(loaded.browser().session().cookieKeys()).isEqualTo(dir.resolve("keys/session-keys.json"));
  }

  static String yamlBlockStartingWith(String firstLine) throws Exception {
    Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks.stream().filter(b -> b.startsWith(firstLine)).findFirst()
        .orElseThrow(() -> new AssertionError("README.md has no ```yaml block starting with " + firstLine));
  }
}

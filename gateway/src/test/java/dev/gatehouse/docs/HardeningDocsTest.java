package dev.gatehouse.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md stays true about hardening: every reason code the gateway answers with is in its table of responses, under
 * its status, and the complete configuration example shows the real defaults of {@code limits} and {@code rateLimits}.
 */
class HardeningDocsTest {

  @Test
  void everyRefusalReasonIsInTheReadmesTable() throws Exception {
    String readme = Files.readString(ReadmeExamplesTest.README);
    int start = readme.indexOf("## Responses the gateway gives itself");
    assertThat(start).isNotNegative();
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));

    for (Reason reason : Reason.values()) {
      if (reason.status() < 400 || reason == Reason.CLIENT_ABORTED) {
        continue; // not an answer: successes, and the log-only client-aborted
      }
      Matcher row = Pattern.compile("(?m)^\\| ([0-9, ]+) \\|.*`" + Pattern.quote(reason.code()) + "`").matcher(section);
      assertThat(row.find()).as("README's reason table lists `" + reason.code() + "`").isTrue();
      List<String> statuses = Arrays.stream(row.group(1).split(",")).map(String::trim).toList();
      assertThat(statuses).as("the row of `" + reason.code() + "`").contains(Integer.toString(reason.status()));
    }
  }

  @Test
  void theConfigurationExampleShowsTheDefaultLimits(@TempDir Path dir) throws Exception {
    String example = ReadmeExamplesTest.yamlBlockStartingWith("# gatehouse.yaml");
    String limits = example.substring(example.indexOf("\nlimits:") + 1);
    limits = limits.substring(0, limits.indexOf("\nrateLimits:") + 1);
    String rateLimits = example.substring(example.indexOf("\nrateLimits:") + 1);
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("c.crt"), "placeholder");
    Files.writeString(dir.resolve("gatehouse.yaml"), "tls:\n  certificate: c.crt\n  key: c.crt\nissuers:\n"
        + "  - issuer: https://idp.example.com\n    audience: gatehouse\npolicies:\n  directory: policies\n" + limits
        + rateLimits.substring(0, nextTopLevelKey(rateLimits)));

    GatewayConfig config = GatewayConfigLoader.load(dir.resolve("gatehouse.yaml"), Map.of());

    assertThat(config.limits()).isEqualTo(GatewayConfig.Limits.DEFAULTS);
    assertThat(config.rateLimits()).isEqualTo(GatewayConfig.RateLimits.DEFAULTS);
  }

  private static int nextTopLevelKey(String yaml) {
    Matcher m = Pattern.compile("(?m)^[A-Za-z]").matcher(yaml);
    return m.find(1) ? m.start() : yaml.length();
  }
}

package dev.gatehouse.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import dev.gatehouse.policy.PolicyCompiler;
import dev.gatehouse.policy.PolicyFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps deploy/kubernetes true: the gatehouse.yaml in the ConfigMap loads, the example policy compiles, and the probes,
 * ports and mounts of the Deployment match what that configuration says.
 */
class DeploymentManifestsTest {

  static final Path DIR = Path.of("..", "deploy", "kubernetes");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<JsonNode> documents(String file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(DIR.resolve(file).toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  @Test
  void theConfigMapHoldsALoadableConfigurationThatTheDeploymentWiresUp(@TempDir Path root) throws Exception {
    String yaml = documents("configmap-config.yaml").get(0).at("/data/gatehouse.yaml").asText();
    // recreate the pod's file system under a temporary root
    String rooted = yaml.replace("/etc/gatehouse/", root + "/etc/gatehouse/");
    Path config = Files.createDirectories(root.resolve("etc/gatehouse")).resolve("gatehouse.yaml");
    Files.writeString(config, rooted);
    Path secrets = Files.createDirectories(root.resolve("etc/gatehouse/secrets"));
    for (String key : List.of("tls.crt", "tls.key", "admin-ca.crt", "assertion-keys.json")) {
      Files.writeString(secrets.resolve(key), "placeholder");
    }
    Files.writeString(secrets.resolve("audit-chain.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    Files.createDirectories(root.resolve("etc/gatehouse/policies"));

    GatewayConfig loaded = GatewayConfigLoader.load(config, Map.of());

    JsonNode container = documents("deployment.yaml").get(0).at("/spec/template/spec/containers/0");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
    assertThat(port(container, "admin")).isEqualTo(loaded.admin().port());
    assertThat(port(container, "https")).isEqualTo(loaded.listener().port());
    long grace = documents("deployment.yaml").get(0).at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
    assertThat(grace).isGreaterThan(loaded.listener().drainTimeout().toSeconds());
    List<String> mounts = new ArrayList<>();
    container.at("/volumeMounts").forEach(m -> mounts.add(m.at("/mountPath").asText()));
    assertThat(mounts).contains("/etc/gatehouse/policies", "/etc/gatehouse/secrets", "/etc/gatehouse/gatehouse.yaml");
    assertThat(loaded.policyDirectory().toString()).endsWith("/etc/gatehouse/policies");
  }

  @Test
  void theExamplePolicyConfigMapCompiles() throws Exception {
    List<PolicyFile> files = new ArrayList<>();
    documents("configmap-policies.yaml").get(0).at("/data").fields().forEachRemaining(e -> files.add(PolicyFile.of(
        Path.of(e.getKey()), e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8))));

    assertThat(PolicyCompiler.compile(files, Instant.now()).routes().size()).isPositive();
  }

  static int port(JsonNode container, String name) {
    for (JsonNode p : container.at("/ports")) {
      if (p.at("/name").asText().equals(name)) {
        return p.at("/containerPort").asInt();
      }
    }
    throw new AssertionError("no port named " + name);
  }
}

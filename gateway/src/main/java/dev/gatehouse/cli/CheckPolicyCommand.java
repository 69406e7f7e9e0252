package dev.gatehouse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import dev.gatehouse.identity.AuthMethod;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.PolicyExplainer;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.PolicyTests;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check-policy", mixinStandardHelpOptions = true,
    description = {"Compile a policy directory, run its test cases, and report every problem with file:line.",
        "With --explain, also show how the policy decides one request.",
        "Exit codes: 0 valid, 1 invalid or a test case failed, 2 cannot read the input."})
final class CheckPolicyCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "the policy directory")
  Path directory;

  @Option(names = "--explain", description = "explain the decision for --request (and --claims)")
  boolean explain;

  @Option(names = "--request", paramLabel = "\"METHOD URL\"", description = "e.g. \"GET https://app.example.com/billing\"")
  String request;

  @Option(names = "--claims", paramLabel = "FILE",
      description = "the caller's claims: JSON or YAML, or a JWT whose payload is read without verification; "
          + "omit for an anonymous request")
  Path claims;

  @Option(names = "--config", paramLabel = "FILE",
      description = "gatehouse.yaml: map --claims with the issuer's claim paths instead of the standard names")
  Path config;

  @Override
  public Integer call() {
    Instant now = Instant.now();
    CompiledPolicy policy;
    try {
      policy = PolicyLoader.load(directory, now);
    } catch (IOException e) {
      System.err.println("gatehouse: cannot read " + directory + ": " + e.getMessage());
      return 2;
    } catch (ConfigException e) {
      RunCommand.printProblems(e);
      return 1;
    }
    System.out.printf("policy %s: %d file(s), %d route(s), %d permission(s), %d test case(s) passed%n", policy.version(),
        policy.files().size(), policy.routes().size(), policy.permissions().descriptions().size(), policy.tests().size());
    if (!explain) {
      return 0;
    }
    if (request == null) {
      System.err.println("gatehouse: --explain needs --request \"METHOD URL\"");
      return 2;
    }
    String[] parts = request.trim().split("\\s+");
    URI url;
    try {
      url = URI.create(parts.length == 2 ? parts[1] : "");
    } catch (IllegalArgumentException e) {
      url = null;
    }
    if (parts.length != 2 || url == null || url.getHost() == null) {
      System.err.println("gatehouse: --request must be \"METHOD URL\", e.g. \"GET https://app.example.com/billing\"");
      return 2;
    }
    Identity identity;
    try {
      identity = claims == null ? null : identity(now);
    } catch (IOException | ConfigException | IllegalArgumentException e) {
      System.err.println("gatehouse: cannot read the claims: " + e.getMessage());
      return 2;
    }
    String rawPath = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    for (String line : PolicyExplainer.explain(policy, parts[0].toUpperCase(Locale.ROOT), url.getHost(), rawPath, identity, now)) {
      System.out.println(line);
    }
    return 0;
  }

  @SuppressWarnings("unchecked")
  private Identity identity(Instant now) throws IOException, ConfigException {
    String text = Files.readString(claims, StandardCharsets.UTF_8).trim();
    if (text.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*")) {
      text = new String(Base64.getUrlDecoder().decode(text.split("\\.")[1]), StandardCharsets.UTF_8);
    }
    Map<String, Object> map = new ObjectMapper(new YAMLFactory()).readValue(text, Map.class);
    if (map == null || !(map.get("sub") instanceof String)) {
      throw new IllegalArgumentException("the claims need a 'sub'");
    }
    if (config == null) {
      return PolicyTests.identity(map, null, now);
    }
    GatewayConfig cfg = GatewayConfigLoader.load(config);
    ClaimMapping mapping = cfg.issuers().stream()
        .filter(i -> i.issuer().toString().equals(map.get("iss")))
        .findFirst().orElse(cfg.issuers().get(0)).claims();
    return mapping.identityOf(map, String.valueOf(map.get("iss")), now.plusSeconds(3600), AuthMethod.BEARER);
  }
}

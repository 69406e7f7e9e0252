package dev.gatehouse.policy;

import dev.gatehouse.Reason;
import dev.gatehouse.config.ConfigProblem;
import dev.gatehouse.identity.AuthMethod;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.request.PathNormalizer;
import dev.gatehouse.request.TargetParser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the test cases written in policy files against a compiled policy. A case's identity is written as token
 * claims with the standard names ({@code sub}, {@code email}, {@code groups}, {@code tenant}, {@code amr}, {@code acr},
 * {@code auth_time}, plus any claim a condition reads), independent of how an issuer maps its own claims.
 */
public final class PolicyTests {

  private PolicyTests() {}

  /** Every failing case, as a located problem; empty when all pass. */
  public static List<ConfigProblem> run(CompiledPolicy policy, Instant now) {
    List<ConfigProblem> failures = new ArrayList<>();
    for (PolicyTestCase test : policy.tests()) {
      Verdict outcome = outcome(policy, test, now);
      boolean passed = outcome.outcome().equals(test.expect())
          && (test.reason() == null || test.reason().equals(outcome.reason()));
      if (!passed) {
        String expected = test.expect() + (test.reason() == null ? "" : " (" + test.reason() + ")");
        failures.add(new ConfigProblem(test.at().file(), test.at().line(), test.at().column(), test.pointer(),
            "test '" + test.name() + "': expected " + expected + ", got " + outcome));
      }
    }
    return failures;
  }

  /** What {@code policy} answers to the request of {@code test}. */
  public static Verdict outcome(CompiledPolicy policy, PolicyTestCase test, Instant now) {
    String host;
    String path;
    try {
      host = TargetParser.normalizeHost(test.host());
      path = PathNormalizer.normalize(test.path()).decoded();
    } catch (Reason.Rejection r) {
      return new Verdict("bad-request", r.reason().code(), null, null);
    }
    Identity identity = test.claims() == null ? null : identity(test.claims(), test.authAge(), now);
    return PolicyEvaluator.verdict(policy, test.method(), host, path, identity, now);
  }

  /** The identity a test case describes: its claims under the standard names, valid for an hour. */
  public static Identity identity(Map<String, Object> claims, Duration authAge, Instant now) {
    Map<String, Object> c = new LinkedHashMap<>(claims);
    if (authAge != null) {
      c.put("auth_time", now.minus(authAge).getEpochSecond());
    }
    Object iss = c.get("iss");
    return ClaimMapping.DEFAULT.identityOf(c, iss instanceof String s ? s : "policy-test", now.plusSeconds(3600),
        AuthMethod.BEARER);
  }
}

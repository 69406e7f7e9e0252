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

  /** What the policy answered for one case, in the vocabulary of {@code expect:}. */
  public record Outcome(String expect, String reason, String route, String rule) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(expect).append(" (").append(reason).append(')');
      if (route != null) {
        sb.append(" on route '").append(route).append('\'');
      }
      if (rule != null) {
        sb.append(" by rule '").append(rule).append('\'');
      }
      return sb.toString();
    }
  }

  private PolicyTests() {}

  /** Every failing case, as a located problem; empty when all pass. */
  public static List<ConfigProblem> run(CompiledPolicy policy, Instant now) {
    List<ConfigProblem> failures = new ArrayList<>();
    for (PolicyTestCase test : policy.tests()) {
      Outcome outcome = outcome(policy, test, now);
      boolean passed = outcome.expect().equals(test.expect())
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
  public static Outcome outcome(CompiledPolicy policy, PolicyTestCase test, Instant now) {
    String host;
    String path;
    try {
      host = TargetParser.normalizeHost(test.host());
      path = PathNormalizer.normalize(test.path()).decoded();
    } catch (Reason.Rejection r) {
      return new Outcome("bad-request", r.reason().code(), null, null);
    }
    Identity identity = test.claims() == null ? null : identity(test.claims(), test.authAge(), now);
    return outcome(policy, test.method(), host, path, identity, now);
  }

  /** What {@code policy} answers to a request for a canonical host and path, by {@code identity} (null: anonymous). */
  public static Outcome outcome(CompiledPolicy policy, String method, String host, String path, Identity identity,
      Instant now) {
    RouteTable.Lookup lookup = policy.routes().find(host, path, method);
    if (lookup.match() == null) {
      Reason reason = lookup.methodMismatch() ? Reason.METHOD_NOT_ALLOWED : Reason.ROUTE_NOT_FOUND;
      return new Outcome("not-found", reason.code(), null, null);
    }
    Route route = lookup.match().route();
    if (!route.isPublic() && identity == null) {
      return new Outcome("unauthenticated", Reason.CREDENTIAL_MISSING.code(), route.id(), null);
    }
    Decision d = PolicyEvaluator.evaluate(policy, lookup.match(), identity, method, now);
    return new Outcome(d.outcome().code(), d.reason().code(), route.id(), d.rule());
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

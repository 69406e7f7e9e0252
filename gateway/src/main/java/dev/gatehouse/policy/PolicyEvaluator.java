package dev.gatehouse.policy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.Identity;
import java.time.Instant;
import java.util.Set;

/**
 * Judges one request against its route's rules. Pure: the same inputs always give the same decision.
 *
 * <p>Deny rules are checked first; any deny rule whose conditions all hold denies. Then the first allow rule whose
 * conditions all hold allows. If no allow rule holds but one would hold with stronger authentication (only its
 * MFA condition fails), the answer is a step-up challenge. Otherwise the request is denied, with the first allow
 * rule's first unmet condition as the reason.
 */
public final class PolicyEvaluator {

  private static final Unmet NO_RULES = new Unmet(Reason.NO_RULE_MATCHED, "this route allows nobody");

  private PolicyEvaluator() {}

  /**
   * What {@code policy} answers to a request for an already canonical host and path by {@code identity} (null for an
   * anonymous caller), including the routing step.
   */
  public static Verdict verdict(CompiledPolicy policy, String method, String host, String path, Identity identity,
      Instant now) {
    RouteTable.Lookup lookup = policy.routes().find(host, path, method);
    if (lookup.match() == null) {
      Reason reason = lookup.methodMismatch() ? Reason.METHOD_NOT_ALLOWED : Reason.ROUTE_NOT_FOUND;
      return new Verdict("not-found", reason.code(), null, null);
    }
    Route route = lookup.match().route();
    if (!route.isPublic() && identity == null) {
      return new Verdict("unauthenticated", Reason.CREDENTIAL_MISSING.code(), route.id(), null);
    }
    Decision d = evaluate(policy, lookup.match(), identity, method, now);
    return new Verdict(d.outcome().code(), d.reason().code(), route.id(), d.rule());
  }

  /**
   * @param identity the verified caller; may be null only for a public route
   */
  public static Decision evaluate(CompiledPolicy policy, RouteMatch match, Identity identity, String method, Instant now) {
    Route route = match.route();
    if (route.isPublic()) {
      return Decision.publicRoute(route.id());
    }
    if (identity == null) {
      throw new IllegalArgumentException("a non-public route needs an authenticated identity");
    }
    Set<String> permissions = policy.permissions().grantedTo(identity.groups());
    Access access = new Access(identity, permissions, method, match, now);
    for (Rule rule : route.denyRules()) {
      if (rule.firstUnmet(access) == null) {
        return Decision.deny(route.id(), rule.name(), new Unmet(Reason.DENIED_BY_RULE, "denied by rule " + rule.name()));
      }
    }
    Rule firstFailed = null;
    Unmet firstUnmet = null;
    Rule stepUpRule = null;
    Unmet stepUp = null;
    for (Rule rule : route.allowRules()) {
      Unmet unmet = null;
      Unmet mfaUnmet = null;
      for (Condition c : rule.conditions()) {
        Unmet u = c.check(access);
        if (u == null) {
          continue;
        }
        if (u.stepUp() != null && mfaUnmet == null) {
          mfaUnmet = u;
        } else {
          unmet = u;
          break;
        }
      }
      if (unmet == null && mfaUnmet == null) {
        return Decision.allow(route.id(), rule);
      }
      if (unmet == null && stepUp == null) {
        stepUpRule = rule;
        stepUp = mfaUnmet;
      }
      if (firstUnmet == null) {
        firstFailed = rule;
        firstUnmet = unmet != null ? unmet : mfaUnmet;
      }
    }
    if (stepUp != null) {
      return Decision.stepUp(route.id(), stepUpRule.name(), stepUp);
    }
    if (firstUnmet == null) {
      return Decision.deny(route.id(), null, NO_RULES);
    }
    return Decision.deny(route.id(), firstFailed.name(), firstUnmet);
  }
}

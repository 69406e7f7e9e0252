package dev.gatehouse.policy;

import java.util.Set;
import java.util.TreeSet;

/**
 * The claims a policy's {@code claims:} conditions read, by top-level name: what a browser session must keep besides
 * the mapped facts (subject, email, groups, tenant, MFA evidence) for the policy to judge it as it judges a token.
 */
public final class PolicyClaims {

  private PolicyClaims() {}

  public static Set<String> referencedBy(CompiledPolicy policy) {
    Set<String> names = new TreeSet<>();
    for (Route route : policy.routesById().values()) {
      collect(route.allowRules(), names);
      collect(route.denyRules(), names);
    }
    return Set.copyOf(names);
  }

  private static void collect(Iterable<Rule> rules, Set<String> names) {
    for (Rule rule : rules) {
      for (Condition c : rule.conditions()) {
        if (c instanceof Conditions.ClaimEquals e) {
          names.add(e.path().root());
        } else if (c instanceof Conditions.ClaimContains e) {
          names.add(e.path().root());
        }
      }
    }
  }
}

package dev.gatehouse.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A named set of conditions that must all hold. In a route's {@code deny} list a matching rule denies; in its
 * {@code allow} list a matching rule allows.
 *
 * @param declaredAt {@code file:line} of the rule, for explanations
 */
public record Rule(String name, List<Condition> conditions, Set<String> permissionsUsed, String declaredAt) {
  public Rule {
    Objects.requireNonNull(name, "name");
    conditions = List.copyOf(conditions);
    permissionsUsed = Set.copyOf(permissionsUsed);
  }

  /** The first condition that does not hold, or null when all hold. */
  Unmet firstUnmet(Access access) {
    for (Condition c : conditions) {
      Unmet unmet = c.check(access);
      if (unmet != null) {
        return unmet;
      }
    }
    return null;
  }
}

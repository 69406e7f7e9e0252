package dev.gatehouse.policy;

import dev.gatehouse.Reason;
import java.util.Objects;
import java.util.Set;

/**
 * The policy's answer for one request: allow, deny, or ask for stronger authentication; with the route and rule
 * that decided and a short reason. Never a bare boolean, so every answer can be explained and logged.
 *
 * @param rule the deciding rule's name, or null when no rule decided (no rule matched, public route)
 * @param stepUp set only when {@code outcome} is {@link Outcome#STEP_UP}
 * @param permissionsUsed the permissions the allowing rule required (told to the app); empty otherwise
 */
public record Decision(Outcome outcome, Reason reason, String routeId, String rule, String detail, StepUp stepUp,
    Set<String> permissionsUsed) {

  public enum Outcome {
    ALLOW("allow"), DENY("deny"), STEP_UP("step-up");

    private final String code;

    Outcome(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  public Decision {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(routeId, "routeId");
    permissionsUsed = Set.copyOf(permissionsUsed);
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOW;
  }

  static Decision allow(String routeId, Rule rule) {
    return new Decision(Outcome.ALLOW, Reason.ALLOWED, routeId, rule.name(), "allowed by rule " + rule.name(), null,
        rule.permissionsUsed());
  }

  static Decision publicRoute(String routeId) {
    return new Decision(Outcome.ALLOW, Reason.PUBLIC_ROUTE, routeId, null, "public route", null, Set.of());
  }

  static Decision deny(String routeId, String rule, Unmet why) {
    return new Decision(Outcome.DENY, why.reason(), routeId, rule, why.detail(), null, Set.of());
  }

  static Decision stepUp(String routeId, String rule, Unmet why) {
    return new Decision(Outcome.STEP_UP, Reason.MFA_REQUIRED, routeId, rule, why.detail(), why.stepUp(), Set.of());
  }
}

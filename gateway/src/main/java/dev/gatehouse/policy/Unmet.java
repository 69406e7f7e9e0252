package dev.gatehouse.policy;

import dev.gatehouse.Reason;
import java.util.Objects;

/**
 * Why a condition does not hold: a reason code and a short detail safe to show the caller (it names what was
 * required, never what the token contained). Built once per condition at compile time.
 *
 * @param stepUp set only for MFA conditions: what a new authentication must provide
 */
public record Unmet(Reason reason, String detail, StepUp stepUp) {
  public Unmet {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  public Unmet(Reason reason, String detail) {
    this(reason, detail, null);
  }
}

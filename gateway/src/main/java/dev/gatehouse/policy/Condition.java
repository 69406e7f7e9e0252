package dev.gatehouse.policy;

/** One requirement of a rule. Implementations are immutable and built by the policy compiler. */
public interface Condition {

  /** Returns null when the condition holds for {@code access}, otherwise why it does not. Must not allocate. */
  Unmet check(Access access);

  /** The policy-language text of this condition, for explanations. */
  String describe();
}

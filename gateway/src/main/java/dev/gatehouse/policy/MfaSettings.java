package dev.gatehouse.policy;

import java.util.List;
import java.util.Set;

/**
 * What counts as multi-factor evidence, policy-wide; a rule's {@code mfa} condition may narrow it.
 *
 * @param amrValues {@code amr} values that show a second factor (RFC 8176)
 * @param acrValues {@code acr} values that show MFA by themselves; also requested in step-up challenges
 * @param acrLevels {@code acr} values from weakest to strongest, for {@code minAcr}
 */
public record MfaSettings(Set<String> amrValues, List<String> acrValues, List<String> acrLevels) {

  /** RFC 8176 methods that involve something beyond a password. */
  public static final Set<String> DEFAULT_AMR = Set.of("mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "pop", "sc");

  public static final MfaSettings DEFAULT = new MfaSettings(DEFAULT_AMR, List.of(), List.of());

  public MfaSettings {
    amrValues = Set.copyOf(amrValues);
    acrValues = List.copyOf(acrValues);
    acrLevels = List.copyOf(acrLevels);
  }
}

package dev.gatehouse.policy;

import java.time.Duration;
import java.util.List;

/**
 * What a caller must bring to satisfy an MFA condition: sent back as an RFC 9470 step-up challenge
 * ({@code acr_values}, {@code max_age}) and, for browsers, as the parameters of a new sign-in.
 *
 * @param acrValues acceptable authentication context classes, most preferred first; may be empty
 * @param maxAge the longest time since authentication, or null when any age will do
 */
public record StepUp(List<String> acrValues, Duration maxAge) {
  public StepUp {
    acrValues = List.copyOf(acrValues);
  }
}

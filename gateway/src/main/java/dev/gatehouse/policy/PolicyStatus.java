package dev.gatehouse.policy;

import java.time.Instant;
import java.util.List;

/**
 * What operators need to know about the policy: the version in force and when it was loaded, and how the last
 * reload attempt went. Immutable; replaced after every attempt.
 *
 * @param lastAttempt when the last reload was attempted, or null before any
 * @param lastErrors the problems of the last attempt if it was rejected, otherwise empty
 */
public record PolicyStatus(String version, Instant loadedAt, List<PolicyFile> files, Instant lastAttempt,
    String lastResult, List<String> lastErrors, long applied, long rejected) {

  public PolicyStatus {
    files = List.copyOf(files);
    lastErrors = List.copyOf(lastErrors);
  }

  static PolicyStatus initial(CompiledPolicy policy) {
    return new PolicyStatus(policy.version(), policy.loadedAt(), policy.files(), null, null, List.of(), 0, 0);
  }
}

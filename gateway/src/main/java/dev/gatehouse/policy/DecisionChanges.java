package dev.gatehouse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How a new policy would have decided the recent requests differently: each sample is judged by both policies (at
 * the same instant, so time-dependent conditions agree) and the flips are counted, with a few examples.
 */
public record DecisionChanges(int replayed, int flipped, List<Flip> examples) {

  /** One request whose answer changes. */
  public record Flip(String subject, String method, String host, String path, String before, String after) {}

  static final int MAX_EXAMPLES = 5;

  public DecisionChanges {
    examples = List.copyOf(examples);
  }

  public static DecisionChanges replay(List<RecentRequests.Sample> samples, CompiledPolicy before, CompiledPolicy after,
      Instant now) {
    int flipped = 0;
    List<Flip> examples = new ArrayList<>();
    for (RecentRequests.Sample s : samples) {
      PolicyTests.Outcome old = PolicyTests.outcome(before, s.method(), s.host(), s.path(), s.identity(), now);
      PolicyTests.Outcome neu = PolicyTests.outcome(after, s.method(), s.host(), s.path(), s.identity(), now);
      if (!old.expect().equals(neu.expect())) {
        flipped++;
        if (examples.size() < MAX_EXAMPLES) {
          examples.add(new Flip(s.identity() == null ? null : s.identity().subject(), s.method(), s.host(), s.path(),
              old.expect() + " (" + old.reason() + ")", neu.expect() + " (" + neu.reason() + ")"));
        }
      }
    }
    return new DecisionChanges(samples.size(), flipped, examples);
  }
}

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
      Verdict old = PolicyEvaluator.verdict(before, s.method(), s.host(), s.path(), s.identity(), now);
      Verdict neu = PolicyEvaluator.verdict(after, s.method(), s.host(), s.path(), s.identity(), now);
      if (!old.outcome().equals(neu.outcome())) {
        flipped++;
        if (examples.size() < MAX_EXAMPLES) {
          examples.add(new Flip(s.identity() == null ? null : s.identity().subject(), s.method(), s.host(), s.path(),
              old.outcome() + " (" + old.reason() + ")", neu.outcome() + " (" + neu.reason() + ")"));
        }
      }
    }
    return new DecisionChanges(samples.size(), flipped, examples);
  }
}

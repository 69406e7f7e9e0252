package dev.gatehouse.policy;

import dev.gatehouse.config.ConfigProblem;
import java.util.List;

/** The outcome of one reload attempt. */
public sealed interface ReloadResult {

  /** The policy in force after the attempt. */
  CompiledPolicy inForce();

  /** {@code applied}, {@code unchanged} or {@code rejected}: the word the status, the metric and the audit event use. */
  String outcome();

  /** A new generation is in force. */
  record Applied(CompiledPolicy inForce, CompiledPolicy previous, RouteChanges changes, DecisionChanges decisions)
      implements ReloadResult {
    public String outcome() {
      return "applied";
    }
  }

  /** The files compile to the generation already in force; nothing was swapped. */
  record Unchanged(CompiledPolicy inForce) implements ReloadResult {
    public String outcome() {
      return "unchanged";
    }
  }

  /**
   * The files were refused; the last good generation stays in force.
   *
   * @param candidateFiles the files that were read (empty when the directory could not be read)
   */
  record Rejected(CompiledPolicy inForce, List<ConfigProblem> problems, List<PolicyFile> candidateFiles)
      implements ReloadResult {
    public Rejected {
      problems = List.copyOf(problems);
      candidateFiles = List.copyOf(candidateFiles);
    }

    public String outcome() {
      return "rejected";
    }
  }
}

package dev.gatehouse.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects problems while a file is validated, so that one run reports every mistake, not just the first. */
public final class Problems {

  private final List<ConfigProblem> problems = new ArrayList<>();

  public void add(YamlNode node, String message) {
    add(node.at(), node.pointer(), message);
  }

  public void add(YamlNode.Position at, String pointer, String message) {
    problems.add(new ConfigProblem(at.file(), at.line(), at.column(), pointer, message));
  }

  public void addAll(List<ConfigProblem> more) {
    problems.addAll(more);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /** Problems in file and line order. */
  public List<ConfigProblem> all() {
    List<ConfigProblem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.comparing((ConfigProblem p) -> p.file().toString())
        .thenComparingInt(ConfigProblem::line)
        .thenComparingInt(ConfigProblem::column));
    return sorted;
  }

  public void throwIfAny() throws ConfigException {
    if (!problems.isEmpty()) {
      throw new ConfigException(all());
    }
  }
}

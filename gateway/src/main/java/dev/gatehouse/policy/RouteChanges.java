package dev.gatehouse.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which routes a new policy adds, removes or changes compared to the one in force, by route id. */
public record RouteChanges(List<String> added, List<String> removed, List<String> changed) {

  public RouteChanges {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }

  public static RouteChanges between(CompiledPolicy before, CompiledPolicy after) {
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    Map<String, Route> old = before.routesById();
    for (Route r : after.routesById().values()) {
      Route previous = old.get(r.id());
      if (previous == null) {
        added.add(r.id());
      } else if (!describe(previous).equals(describe(r))) {
        changed.add(r.id());
      }
    }
    for (String id : old.keySet()) {
      if (!after.routesById().containsKey(id)) {
        removed.add(id);
      }
    }
    return new RouteChanges(added, removed, changed);
  }

  /** A route's meaning as text, without where it is written (moving a route between lines is not a change). */
  static String describe(Route r) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.hosts()).append(' ').append(r.path()).append(' ').append(r.methods()).append(' ').append(r.upstream())
        .append(" public=").append(r.isPublic()).append(' ').append(r.options());
    for (Rule rule : r.denyRules()) {
      sb.append(" deny ").append(rule.name()).append(rule.conditions().stream().map(Condition::describe).toList());
    }
    for (Rule rule : r.allowRules()) {
      sb.append(" allow ").append(rule.name()).append(rule.conditions().stream().map(Condition::describe).toList());
    }
    return sb.toString();
  }
}

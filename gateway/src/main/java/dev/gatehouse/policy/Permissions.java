package dev.gatehouse.policy;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The permissions the operator named, and which IdP groups or roles grant each one. Permissions are the
 * vocabulary of rules; groups are the IdP's vocabulary; this is the one place where the two meet.
 */
public final class Permissions {

  private final Map<String, String> descriptions;
  private final Map<String, Set<String>> byGroup;

  Permissions(Map<String, String> descriptions, Map<String, Set<String>> grantedTo) {
    this.descriptions = Map.copyOf(descriptions);
    Map<String, Set<String>> index = new HashMap<>();
    grantedTo.forEach((permission, groups) -> {
      for (String group : groups) {
        index.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(permission);
      }
    });
    Map<String, Set<String>> frozen = new HashMap<>();
    index.forEach((group, perms) -> frozen.put(group, Set.copyOf(perms)));
    this.byGroup = Map.copyOf(frozen);
  }

  public boolean defines(String permission) {
    return descriptions.containsKey(permission);
  }

  public Map<String, String> descriptions() {
    return descriptions;
  }

  /** The permissions granted to someone in {@code groups}. */
  public Set<String> grantedTo(Set<String> groups) {
    if (groups.isEmpty()) {
      return Set.of();
    }
    if (groups.size() == 1) {
      return byGroup.getOrDefault(groups.iterator().next(), Set.of());
    }
    Set<String> out = null;
    for (String group : groups) {
      Set<String> perms = byGroup.get(group);
      if (perms != null) {
        if (out == null) {
          out = new LinkedHashSet<>();
        }
        out.addAll(perms);
      }
    }
    return out == null ? Set.of() : out;
  }
}

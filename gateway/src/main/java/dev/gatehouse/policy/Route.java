package dev.gatehouse.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One compiled route: which requests it takes (hosts, path pattern, methods), where they go, and the rules that
 * decide them. Immutable; part of a {@link CompiledPolicy}.
 *
 * @param methods upper-case methods this route takes; empty means every method
 * @param isPublic anyone may pass without credentials (still logged)
 * @param declaredAt {@code file:line} where the route is written
 */
public record Route(String id, List<HostPattern> hosts, PathPattern path, Set<String> methods, Upstream upstream,
    boolean isPublic, List<Rule> denyRules, List<Rule> allowRules, RouteOptions options, String declaredAt) {

  public Route {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(options, "options");
    hosts = List.copyOf(hosts);
    methods = Set.copyOf(methods);
    denyRules = List.copyOf(denyRules);
    allowRules = List.copyOf(allowRules);
  }

  public boolean takes(String method) {
    return methods.isEmpty() || methods.contains(method);
  }
}

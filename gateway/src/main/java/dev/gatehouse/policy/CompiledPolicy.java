package dev.gatehouse.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable generation of policy: everything compiled from the policy directory at one moment. A request
 * reads the current generation once and is judged by it from start to end; a reload builds a new generation and
 * swaps it in whole.
 *
 * @param version short content hash of all files; equal content gives an equal version on every replica
 * @param files every file that went into this generation, with its digest
 */
public record CompiledPolicy(String version, Instant loadedAt, List<PolicyFile> files, RouteTable routes,
    Map<String, Route> routesById, Permissions permissions, MfaSettings mfa, List<PolicyTestCase> tests) {

  public CompiledPolicy {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(loadedAt, "loadedAt");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(permissions, "permissions");
    Objects.requireNonNull(mfa, "mfa");
    files = List.copyOf(files);
    routesById = Map.copyOf(routesById);
    tests = List.copyOf(tests);
  }
}

package dev.gatehouse.policy;

import dev.gatehouse.identity.Identity;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a rule may look at for one request: the verified identity, the permissions its groups grant under the
 * policy in force, the method, the matched route with its path variables, and the time. Never the network address.
 */
public record Access(Identity identity, Set<String> permissions, String method, RouteMatch match, Instant now) {
  public Access {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(permissions, "permissions");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(now, "now");
  }
}

package dev.gatehouse.policy;

import dev.gatehouse.identity.IdentityAttribute;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * How a route talks to its app, beyond the address.
 *
 * @param passToken forward the caller's original bearer token to the app (default: no, the app gets the
 *     gateway's assertion instead)
 * @param extraHeaders static headers added to every request on this route
 * @param identityHeaders which plain identity headers the app gets besides the signed assertion (default: all)
 * @param audience the {@code aud} of this route's assertions, or null for the configured default
 */
public record RouteOptions(boolean passToken, Map<String, String> extraHeaders, Set<IdentityAttribute> identityHeaders,
    String audience) {

  public static final RouteOptions DEFAULT =
      new RouteOptions(false, Map.of(), EnumSet.allOf(IdentityAttribute.class), null);

  public RouteOptions {
    extraHeaders = Map.copyOf(extraHeaders);
    identityHeaders = Set.copyOf(identityHeaders);
  }
}

package dev.gatehouse.policy;

import dev.gatehouse.config.RateLimit;
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
 * @param maxBodySize the largest request body this route takes in bytes, or -1 for {@code limits.maxBodySize}
 * @param rateLimit requests per caller (subject, or client address on public routes), or null for no limit
 */
public record RouteOptions(boolean passToken, Map<String, String> extraHeaders, Set<IdentityAttribute> identityHeaders,
    String audience, long maxBodySize, RateLimit rateLimit) {

  public static final RouteOptions DEFAULT =
      new RouteOptions(false, Map.of(), EnumSet.allOf(IdentityAttribute.class), null);

  public RouteOptions {
    extraHeaders = Map.copyOf(extraHeaders);
    identityHeaders = Set.copyOf(identityHeaders);
  }

  /** Without a body limit of its own and without a rate limit. */
  public RouteOptions(boolean passToken, Map<String, String> extraHeaders, Set<IdentityAttribute> identityHeaders,
      String audience) {
    this(passToken, extraHeaders, identityHeaders, audience, -1, null);
  }

  /** The body limit that applies to this route: its own, or {@code gatewayDefault}. */
  public long maxBodySize(long gatewayDefault) {
    return maxBodySize >= 0 ? maxBodySize : gatewayDefault;
  }
}

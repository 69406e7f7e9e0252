package dev.gatehouse.policy;

import java.util.Map;

/**
 * How a route talks to its app, beyond the address.
 *
 * @param passToken forward the caller's original bearer token to the app (default: no, the app gets the
 *     gateway's assertion instead)
 * @param extraHeaders static headers added to every request on this route
 */
public record RouteOptions(boolean passToken, Map<String, String> extraHeaders) {

  public static final RouteOptions DEFAULT = new RouteOptions(false, Map.of());

  public RouteOptions {
    extraHeaders = Map.copyOf(extraHeaders);
  }
}

package dev.gatehouse.policy;

/** A route chosen for a request, with the request's path segments so that path variables can be read. */
public record RouteMatch(Route route, String[] segments) {

  /** The value of path variable {@code name}, or null if the route's pattern has no such variable. */
  public String variable(String name) {
    return route.path().variable(name, segments);
  }
}

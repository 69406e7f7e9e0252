package dev.gatehouse.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the most specific route for a host, path and method. Hosts are tried exact first, then {@code *.suffix}
 * patterns longest suffix first, then routes for any host. Within a host, paths are matched segment by segment in a
 * trie where a literal segment beats {@code {var}} and {@code *}, which beat {@code **}; a route limited to certain
 * methods beats one for every method. Lookup cost grows with the path's depth, not with the number of routes.
 */
public final class RouteTable {

  /** The outcome of a lookup: a match, or none, and whether some route had the path but not the method. */
  public record Lookup(RouteMatch match, boolean methodMismatch) {}

  private static final Lookup NOT_FOUND = new Lookup(null, false);
  private static final Lookup WRONG_METHOD = new Lookup(null, true);

  private final Map<String, Node> exactHosts;
  private final Map<String, Node> suffixHosts;
  private final Node anyHost;
  private final int size;

  private RouteTable(Map<String, Node> exactHosts, Map<String, Node> suffixHosts, Node anyHost, int size) {
    this.exactHosts = exactHosts;
    this.suffixHosts = suffixHosts;
    this.anyHost = anyHost;
    this.size = size;
  }

  public int size() {
    return size;
  }

  public Lookup find(String host, String path, String method) {
    String[] segments = segments(path);
    boolean methodMismatch = false;
    Node exact = exactHosts.get(host);
    if (exact != null) {
      Search s = new Search(segments, method);
      if (s.run(exact)) {
        return new Lookup(new RouteMatch(s.found, segments), false);
      }
      methodMismatch = s.methodMismatch;
    }
    if (!suffixHosts.isEmpty()) {
      for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
        Node suffix = suffixHosts.get(host.substring(dot));
        if (suffix != null) {
          Search s = new Search(segments, method);
          if (s.run(suffix)) {
            return new Lookup(new RouteMatch(s.found, segments), false);
          }
          methodMismatch |= s.methodMismatch;
        }
      }
    }
    Search s = new Search(segments, method);
    if (s.run(anyHost)) {
      return new Lookup(new RouteMatch(s.found, segments), false);
    }
    return methodMismatch || s.methodMismatch ? WRONG_METHOD : NOT_FOUND;
  }

  static String[] segments(String path) {
    if (path.length() <= 1) {
      return new String[0];
    }
    int end = path.endsWith("/") ? path.length() - 1 : path.length();
    int count = 1;
    for (int i = 1; i < end; i++) {
      if (path.charAt(i) == '/') {
        count++;
      }
    }
    String[] out = new String[count];
    int start = 1;
    for (int k = 0; k < count; k++) {
      int slash = path.indexOf('/', start);
      int stop = slash < 0 || slash > end ? end : slash;
      out[k] = path.substring(start, stop);
      start = stop + 1;
    }
    return out;
  }

  /** One depth-first search in preference order; the first complete match is the most specific. */
  private static final class Search {
    final String[] segments;
    final String method;
    Route found;
    boolean methodMismatch;

    Search(String[] segments, String method) {
      this.segments = segments;
      this.method = method;
    }

    boolean run(Node node) {
      return visit(node, 0);
    }

    private boolean visit(Node node, int i) {
      if (i == segments.length) {
        return pick(node.exact) || pick(node.rest);
      }
      Node literal = node.literals.get(segments[i]);
      if (literal != null && visit(literal, i + 1)) {
        return true;
      }
      if (node.single != null && visit(node.single, i + 1)) {
        return true;
      }
      return pick(node.rest);
    }

    private boolean pick(List<Route> routes) {
      for (Route r : routes) {
        if (r.takes(method)) {
          found = r;
          return true;
        }
      }
      if (!routes.isEmpty()) {
        methodMismatch = true;
      }
      return false;
    }
  }

  private static final class Node {
    final Map<String, Node> literals = new HashMap<>();
    Node single;
    final List<Route> exact = new ArrayList<>();
    final List<Route> rest = new ArrayList<>();
  }

  /** Builds a table; {@link #add} reports a route whose matcher another route already has. */
  public static final class Builder {
    private final Map<String, Node> exactHosts = new HashMap<>();
    private final Map<String, Node> suffixHosts = new HashMap<>();
    private final Node anyHost = new Node();
    private int size;

    /** Adds the route under each of its hosts. Returns the route it clashes with, or null. */
    public Route add(Route route) {
      for (HostPattern host : route.hosts()) {
        Node root = switch (host.kind()) {
          case ANY -> anyHost;
          case EXACT -> exactHosts.computeIfAbsent(host.value(), h -> new Node());
          case SUFFIX -> suffixHosts.computeIfAbsent(host.value(), h -> new Node());
        };
        Node node = root;
        List<Route> terminal = null;
        for (PathPattern.Segment segment : route.path().segments()) {
          switch (segment.kind()) {
            case LITERAL -> node = node.literals.computeIfAbsent(segment.text(), t -> new Node());
            case SINGLE -> {
              if (node.single == null) {
                node.single = new Node();
              }
              node = node.single;
            }
            case REST -> terminal = node.rest;
          }
        }
        if (terminal == null) {
          terminal = node.exact;
        }
        for (Route other : terminal) {
          if (methodsOverlap(other, route)) {
            return other;
          }
        }
        terminal.add(route);
        // routes limited to some methods are preferred over routes for every method
        terminal.sort(Comparator.comparing(r -> r.methods().isEmpty()));
      }
      size++;
      return null;
    }

    public RouteTable build() {
      return new RouteTable(Map.copyOf(exactHosts), Map.copyOf(suffixHosts), anyHost, size);
    }

    /** Same methods clash; a route for every method and a route for some methods do not (the latter wins). */
    private static boolean methodsOverlap(Route a, Route b) {
      if (a.methods().isEmpty() || b.methods().isEmpty()) {
        return a.methods().isEmpty() && b.methods().isEmpty();
      }
      for (String m : a.methods()) {
        if (b.methods().contains(m)) {
          return true;
        }
      }
      return false;
    }
  }
}

package dev.gatehouse.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A route's path pattern: literal segments, {@code {name}} (exactly one segment, captured), {@code *} (exactly one
 * segment) and a final {@code **} (zero or more segments). Matching is on canonical decoded segments, case-sensitive;
 * a trailing slash in the request does not change which route matches.
 */
public final class PathPattern {

  enum SegmentKind { LITERAL, SINGLE, REST }

  record Segment(SegmentKind kind, String text) {}

  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String text;
  private final List<Segment> segments;
  private final List<String> variableNames;
  private final int[] variableIndexes;

  private PathPattern(String text, List<Segment> segments, List<String> variableNames, int[] variableIndexes) {
    this.text = text;
    this.segments = List.copyOf(segments);
    this.variableNames = List.copyOf(variableNames);
    this.variableIndexes = variableIndexes;
  }

  /** @throws IllegalArgumentException with a message fit for a policy error */
  public static PathPattern parse(String text) {
    if (!text.startsWith("/")) {
      throw new IllegalArgumentException("'" + text + "' must start with '/'");
    }
    List<Segment> segments = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    String[] parts = text.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (part.isEmpty()) {
        if (last) {
          continue; // a trailing slash is not significant
        }
        throw new IllegalArgumentException("'" + text + "' has an empty segment ('//')");
      }
      if (part.equals("**")) {
        // "/a/**/" is "/a/**": the empty part after a trailing slash is not a segment
        if (!last && !(i == parts.length - 2 && parts[i + 1].isEmpty())) {
          throw new IllegalArgumentException("'" + text + "': '**' may only be the last segment");
        }
        segments.add(new Segment(SegmentKind.REST, part));
      } else if (part.equals("*")) {
        segments.add(new Segment(SegmentKind.SINGLE, part));
      } else if (part.startsWith("{") && part.endsWith("}")) {
        String name = part.substring(1, part.length() - 1);
        if (!VARIABLE_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("'" + text + "': '" + part + "' is not a valid variable (expected: {name})");
        }
        if (names.contains(name)) {
          throw new IllegalArgumentException("'" + text + "': variable {" + name + "} appears twice");
        }
        names.add(name);
        indexes.add(segments.size());
        segments.add(new Segment(SegmentKind.SINGLE, part));
      } else if (part.contains("{") || part.contains("}") || part.contains("*")) {
        throw new IllegalArgumentException("'" + text + "': segment '" + part
            + "' mixes text with '{', '}' or '*' (expected: a whole-segment {name}, * or **)");
      } else if (part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("'" + text + "' contains a dot segment");
      } else {
        segments.add(new Segment(SegmentKind.LITERAL, part));
      }
    }
    return new PathPattern(text, segments, names, indexes.stream().mapToInt(Integer::intValue).toArray());
  }

  List<Segment> segments() {
    return segments;
  }

  public List<String> variableNames() {
    return variableNames;
  }

  /** The value of variable {@code name} among the matched request segments, or null when the pattern has none. */
  public String variable(String name, String[] requestSegments) {
    int i = variableNames.indexOf(name);
    return i < 0 ? null : requestSegments[variableIndexes[i]];
  }

  /** Two patterns with the same shape match exactly the same paths. */
  public String shape() {
    StringBuilder sb = new StringBuilder();
    for (Segment s : segments) {
      sb.append('/').append(s.kind() == SegmentKind.LITERAL ? s.text() : s.kind() == SegmentKind.SINGLE ? "{}" : "**");
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}

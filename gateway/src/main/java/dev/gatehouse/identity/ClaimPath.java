package dev.gatehouse.identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A path into a token's claims: dot-separated names ({@code realm_access.roles}), where a name containing dots
 * is quoted ({@code resource_access."my.app".roles}, {@code "https://example.com/roles"}).
 */
public final class ClaimPath {

  private final String text;
  private final List<String> names;

  private ClaimPath(String text, List<String> names) {
    this.text = text;
    this.names = List.copyOf(names);
  }

  /** @throws IllegalArgumentException with a message fit for a configuration error */
  public static ClaimPath parse(String text) {
    List<String> names = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        wasQuoted = true;
      } else if (c == '.' && !quoted) {
        addName(text, names, current, wasQuoted);
        current.setLength(0);
        wasQuoted = false;
      } else {
        current.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote in claim path '" + text + "'");
    }
    addName(text, names, current, wasQuoted);
    return new ClaimPath(text, names);
  }

  private static void addName(String text, List<String> names, StringBuilder current, boolean wasQuoted) {
    if (current.length() == 0 && !wasQuoted) {
      throw new IllegalArgumentException("empty name in claim path '" + text + "' (quote names that contain dots)");
    }
    names.add(current.toString());
  }

  /** The top-level claim name this path starts at. */
  public String root() {
    return names.get(0);
  }

  /** The value at this path, or null when any step is missing or not an object. */
  public Object resolve(Map<String, Object> claims) {
    Object current = claims;
    for (String name : names) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(name);
    }
    return current;
  }

  /**
   * The value as strings: a string is one value (or, for claims named {@code scope} or {@code scp}, its
   * space-separated parts), an array gives its string elements; anything else gives nothing.
   */
  public List<String> strings(Map<String, Object> claims) {
    Object value = resolve(claims);
    if (value instanceof String s) {
      if (isSpaceSeparated()) {
        List<String> parts = new ArrayList<>();
        for (String part : s.trim().split("\\s+")) {
          if (!part.isEmpty()) {
            parts.add(part);
          }
        }
        return parts;
      }
      return List.of(s);
    }
    if (value instanceof Collection<?> items) {
      List<String> out = new ArrayList<>(items.size());
      for (Object item : items) {
        if (item instanceof String s) {
          out.add(s);
        }
      }
      return out;
    }
    return List.of();
  }

  /** The value if it is a single string, else null. */
  public String string(Map<String, Object> claims) {
    Object value = resolve(claims);
    return value instanceof String s ? s : null;
  }

  private boolean isSpaceSeparated() {
    String last = names.get(names.size() - 1);
    return last.equals("scope") || last.equals("scp");
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClaimPath other && other.names.equals(names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }
}

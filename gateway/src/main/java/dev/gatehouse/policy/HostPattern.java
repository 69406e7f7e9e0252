package dev.gatehouse.policy;

import dev.gatehouse.request.TargetParser;
import java.util.Locale;

/** Which hosts a route serves: any host, one exact host, or every subdomain of a suffix ({@code *.example.com}). */
public record HostPattern(Kind kind, String value) {

  public enum Kind { ANY, EXACT, SUFFIX }

  public static final HostPattern ANY = new HostPattern(Kind.ANY, "*");

  /** @throws IllegalArgumentException with a message fit for a policy error */
  public static HostPattern parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("*")) {
      return ANY;
    }
    if (t.startsWith("*.")) {
      validate(t.substring(2), text);
      // normalized like an exact host (trailing dot dropped), or "*.example.com." would never match
      return new HostPattern(Kind.SUFFIX, "." + TargetParser.normalizeHost(t.substring(2)));
    }
    if (t.contains("*")) {
      throw new IllegalArgumentException("'" + text + "' is not a host pattern (expected: a host name, '*.suffix' or '*')");
    }
    validate(t, text);
    return new HostPattern(Kind.EXACT, TargetParser.normalizeHost(t));
  }

  private static void validate(String host, String original) {
    try {
      TargetParser.normalizeHost(host);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + original + "' is not a valid host name");
    }
    if (host.contains(":") && !host.startsWith("[")) {
      throw new IllegalArgumentException("'" + original + "': host patterns have no port");
    }
  }

  @Override
  public String toString() {
    return kind == Kind.SUFFIX ? "*" + value : value;
  }
}

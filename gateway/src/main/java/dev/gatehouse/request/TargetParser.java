package dev.gatehouse.request;

import dev.gatehouse.Reason;
import java.util.Locale;

/**
 * Splits a raw request target into host, canonical path and query. Origin-form ({@code /path?q}) is the norm;
 * absolute-form ({@code https://host/path}) is accepted only when it names the same host as the Host header, so a
 * request cannot be judged for one host and understood by an upstream as being for another.
 */
public final class TargetParser {

  private TargetParser() {}

  /**
   * @param rawTarget the request target exactly as received
   * @param authorityHost the host from the Host header or HTTP/2 {@code :authority}, or null when absent
   */
  public static RequestTarget parse(String rawTarget, String authorityHost) {
    if (authorityHost == null || authorityHost.isEmpty()) {
      throw Reason.HOST_INVALID.reject("missing Host header");
    }
    String host = normalizeHost(authorityHost);
    String target = rawTarget;
    if (!target.startsWith("/")) {
      int scheme = schemeLength(target);
      if (scheme < 0) {
        throw Reason.PATH_REJECTED.reject("the request target must be a path");
      }
      int authorityEnd = indexOfAny(target, scheme);
      String targetHost = normalizeHost(stripPort(target.substring(scheme, authorityEnd)));
      if (!targetHost.equals(host)) {
        throw Reason.PATH_REJECTED.reject("absolute-form target names another host than the Host header");
      }
      target = authorityEnd == target.length() ? "/" : target.substring(authorityEnd);
      if (target.startsWith("?")) {
        target = "/" + target;
      }
    }
    int question = target.indexOf('?');
    String rawPath = question < 0 ? target : target.substring(0, question);
    String query = question < 0 ? null : target.substring(question + 1);
    if (query != null) {
      checkQuery(query);
    }
    PathNormalizer.CanonicalPath path = PathNormalizer.normalize(rawPath);
    return new RequestTarget(host, path.decoded(), path.encoded(), query);
  }

  /** Lower-cases and validates a host name or IP literal; strips a trailing dot. */
  public static String normalizeHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.isEmpty() || h.length() > 253) {
      throw Reason.HOST_INVALID.reject("invalid host");
    }
    if (h.charAt(0) == '[') {
      if (!h.endsWith("]") || !h.substring(1, h.length() - 1).chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        throw Reason.HOST_INVALID.reject("invalid IPv6 host literal");
      }
      return h;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
      if (!ok) {
        throw Reason.HOST_INVALID.reject("invalid character in host");
      }
    }
    return h;
  }

  private static void checkQuery(String query) {
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        throw Reason.PATH_REJECTED.reject("control, space, '#' or non-ASCII character in query (percent-encode it)");
      }
    }
  }

  private static int schemeLength(String target) {
    String lower = target.length() >= 8 ? target.substring(0, 8).toLowerCase(Locale.ROOT) : target.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      return 8;
    }
    if (lower.startsWith("http://")) {
      return 7;
    }
    return -1;
  }

  private static int indexOfAny(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        return i;
      }
    }
    return s.length();
  }

  private static String stripPort(String authority) {
    if (authority.contains("@")) {
      throw Reason.PATH_REJECTED.reject("userinfo in request target");
    }
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      return close < 0 ? authority : authority.substring(0, close + 1);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 ? authority : authority.substring(0, colon);
  }
}

package dev.gatehouse.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keeps the gateway's cookies between the browser and the gateway. Their names start with {@value #PREFIX} (after an
 * optional {@code __Host-} or {@code __Secure-} prefix, in any letter case); they carry the caller's session, which an
 * app must never see, and an app must not be able to set them either (session fixation).
 */
final class GatewayCookies {

  static final String PREFIX = "gatehouse";

  private GatewayCookies() {}

  static boolean isGatewayCookie(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith("__host-")) {
      n = n.substring(7);
    } else if (n.startsWith("__secure-")) {
      n = n.substring(9);
    }
    return n.startsWith(PREFIX);
  }

  /** Removes the gateway's cookies from every {@code Cookie} header (HTTP/2 may split cookies over several). */
  static void removeFromRequest(MultiMap headers) {
    List<String> values = headers.getAll(HttpHeaders.COOKIE);
    if (values.isEmpty()) {
      return;
    }
    List<String> kept = new ArrayList<>(values.size());
    boolean changed = false;
    for (String value : values) {
      String filtered = withoutGatewayCookies(value);
      changed |= !value.equals(filtered);
      if (filtered != null) {
        kept.add(filtered);
      }
    }
    if (changed) {
      headers.remove(HttpHeaders.COOKIE);
      kept.forEach(v -> headers.add(HttpHeaders.COOKIE, v));
    }
  }

  /** Drops every {@code Set-Cookie} of an app that would set one of the gateway's cookies. */
  static void removeFromResponse(MultiMap headers) {
    List<String> values = headers.getAll(HttpHeaders.SET_COOKIE);
    if (values.stream().noneMatch(v -> isGatewayCookie(cookieName(v)))) {
      return;
    }
    List<String> kept = values.stream().filter(v -> !isGatewayCookie(cookieName(v))).toList();
    headers.remove(HttpHeaders.SET_COOKIE);
    kept.forEach(v -> headers.add(HttpHeaders.SET_COOKIE, v));
  }

  /**
   * One {@code Cookie} header value without the gateway's cookies, the others byte for byte; null when nothing is
   * left. Pairs are separated by {@code ;} (RFC 6265 section 4.2.1); lenient about the space after it.
   */
  static String withoutGatewayCookies(String value) {
    String[] pairs = value.split(";", -1);
    StringBuilder kept = new StringBuilder(value.length());
    boolean removed = false;
    for (String pair : pairs) {
      if (isGatewayCookie(cookieName(pair))) {
        removed = true;
        continue;
      }
      if (pair.isBlank()) {
        continue;
      }
      if (kept.length() > 0) {
        kept.append("; ");
      }
      kept.append(pair.trim());
    }
    if (!removed) {
      return value;
    }
    return kept.length() == 0 ? null : kept.toString();
  }

  private static String cookieName(String pairOrSetCookie) {
    int end = pairOrSetCookie.length();
    for (char stop : new char[] {'=', ';'}) {
      int i = pairOrSetCookie.indexOf(stop);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    return pairOrSetCookie.substring(0, end).trim();
  }
}

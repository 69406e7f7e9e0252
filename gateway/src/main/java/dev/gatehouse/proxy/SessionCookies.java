package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The browser cookies of sign-in: the session ({@value #SESSION}) and the sign-ins in progress ({@value #SIGN_IN}).
 * Both are {@code __Host-} cookies (Secure, Path=/, no Domain: only this exact origin over HTTPS can set or read them),
 * HttpOnly (no script reads them) and SameSite=Lax (not sent with cross-site subrequests or form posts).
 *
 * <p>A browser keeps about 4096 bytes per cookie, name and attributes included. A session too large for one cookie
 * (many groups, a long refresh token) is split over {@value #SESSION}-1, -2, ... (at most {@value #MAX_PARTS}); one
 * that does not fit even so is refused with {@code session-too-large}. Never truncated: a truncated cookie would not
 * decrypt anyway, and the user would loop through sign-in.
 */
final class SessionCookies {

  static final String SESSION = "__Host-gatehouse-session";
  static final String SIGN_IN = "__Host-gatehouse-signin";

  /** The value bytes per cookie, leaving room for name and attributes within 4096. */
  static final int MAX_VALUE_LENGTH = 3800;
  static final int MAX_PARTS = 3;

  private static final String ATTRIBUTES = "; Path=/; Secure; HttpOnly; SameSite=Lax";

  private final Map<String, String> present;

  private SessionCookies(Map<String, String> present) {
    this.present = present;
  }

  /**
   * The gateway's sign-in cookies of a request. HTTP/2 may split cookies over several headers; a name that appears
   * twice keeps its first value (a {@code __Host-} cookie cannot be planted by another site or subdomain).
   */
  static SessionCookies of(MultiMap headers) {
    Map<String, String> found = new LinkedHashMap<>();
    for (String header : headers.getAll(HttpHeaders.COOKIE)) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String name = pair.substring(0, eq).trim();
        if (name.equals(SIGN_IN) || name.startsWith(SESSION)) {
          found.putIfAbsent(name, pair.substring(eq + 1).trim());
        }
      }
    }
    return new SessionCookies(found);
  }

  /** The sealed session: the single cookie, or its parts joined in order; null when there is none. */
  String session() {
    String whole = present.get(SESSION);
    if (whole != null) {
      return whole;
    }
    if (!present.containsKey(SESSION + "-1")) {
      return null;
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 1; i <= MAX_PARTS && present.containsKey(SESSION + "-" + i); i++) {
      joined.append(present.get(SESSION + "-" + i));
    }
    return joined.toString();
  }

  String signIn() {
    return present.get(SIGN_IN);
  }

  /**
   * The {@code Set-Cookie} values that store {@code sealed} as the session for {@code maxAge}, and clear whatever
   * other session cookies the browser has (a previous split, or a previous single cookie).
   *
   * @throws Reason.Rejection {@code session-too-large} when it needs more than {@value #MAX_PARTS} cookies
   */
  List<String> storeSession(String sealed, Duration maxAge) {
    List<String> out = new ArrayList<>();
    List<String> written = new ArrayList<>();
    if (sealed.length() <= MAX_VALUE_LENGTH) {
      out.add(cookie(SESSION, sealed, maxAge));
      written.add(SESSION);
    } else {
      int parts = (sealed.length() + MAX_VALUE_LENGTH - 1) / MAX_VALUE_LENGTH;
      if (parts > MAX_PARTS) {
        throw Reason.SESSION_TOO_LARGE.reject("the session would need " + parts + " cookies of 4 KiB, more than the "
            + MAX_PARTS + " the gateway uses (the identity has too many groups or claims)");
      }
      for (int i = 0; i < parts; i++) {
        String name = SESSION + "-" + (i + 1);
        out.add(cookie(name, sealed.substring(i * MAX_VALUE_LENGTH,
            Math.min(sealed.length(), (i + 1) * MAX_VALUE_LENGTH)), maxAge));
        written.add(name);
      }
    }
    for (String name : present.keySet()) {
      if (name.startsWith(SESSION) && !written.contains(name)) {
        out.add(expired(name));
      }
    }
    return out;
  }

  /** {@code Set-Cookie} values that remove every session cookie the browser sent (or the plain one if none). */
  List<String> clearSession() {
    List<String> out = new ArrayList<>();
    for (String name : present.keySet()) {
      if (name.startsWith(SESSION)) {
        out.add(expired(name));
      }
    }
    if (out.isEmpty()) {
      out.add(expired(SESSION));
    }
    return out;
  }

  static String storeSignIn(String sealed, Duration maxAge) {
    return cookie(SIGN_IN, sealed, maxAge);
  }

  static String clearSignIn() {
    return expired(SIGN_IN);
  }

  private static String cookie(String name, String value, Duration maxAge) {
    return name + "=" + value + "; Max-Age=" + Math.max(0, maxAge.toSeconds()) + ATTRIBUTES;
  }

  private static String expired(String name) {
    return name + "=; Max-Age=0" + ATTRIBUTES;
  }
}

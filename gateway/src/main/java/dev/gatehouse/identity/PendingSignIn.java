package dev.gatehouse.identity;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A sign-in the gateway started and the browser has not completed yet: what the callback must check and where it
 * sends the browser afterwards. Kept in the browser (in the encrypted sign-in cookie), so any replica can complete it.
 *
 * @param state the {@code state} sent to the provider; the callback must bring exactly this value back
 * @param nonce the {@code nonce} the ID token must carry
 * @param codeVerifier the PKCE verifier (RFC 7636) whose S256 challenge was sent
 * @param returnTo the same-origin path (and query) the browser asked for, recorded by the gateway itself
 * @param stepUpRoute the route whose MFA requirement this sign-in steps up for, or null for a plain sign-in
 */
public record PendingSignIn(String state, String nonce, String codeVerifier, String returnTo, Instant startedAt,
    String stepUpRoute) {

  public PendingSignIn {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(codeVerifier, "codeVerifier");
    Objects.requireNonNull(startedAt, "startedAt");
    if (!isSafeReturnPath(returnTo)) {
      throw new IllegalArgumentException("not a same-origin path: " + returnTo);
    }
  }

  /**
   * Whether the browser may be sent to {@code path} after sign-in: a path on this origin only, never another site.
   * It starts with exactly one {@code /} (not {@code //host} or {@code /\host}, which browsers read as another host),
   * and holds only visible ASCII (no control characters or spaces that could split a header or change the URL).
   */
  public static boolean isSafeReturnPath(String path) {
    if (path == null || path.isEmpty() || path.length() > 2048 || path.charAt(0) != '/') {
      return false;
    }
    if (path.length() > 1 && (path.charAt(1) == '/' || path.charAt(1) == '\\')) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '\\') {
        return false;
      }
    }
    return true;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("state", state);
    json.put("nonce", nonce);
    json.put("pkce", codeVerifier);
    json.put("to", returnTo);
    json.put("at", startedAt.getEpochSecond());
    if (stepUpRoute != null) {
      json.put("step_up", stepUpRoute);
    }
    return json;
  }

  static PendingSignIn fromJson(Map<?, ?> json) {
    if (!(json.get("state") instanceof String state) || !(json.get("nonce") instanceof String nonce)
        || !(json.get("pkce") instanceof String verifier) || !(json.get("to") instanceof String to)
        || !(json.get("at") instanceof Number at)) {
      throw new IllegalArgumentException("not a pending sign-in");
    }
    return new PendingSignIn(state, nonce, verifier, to, Instant.ofEpochSecond(at.longValue()),
        json.get("step_up") instanceof String route ? route : null);
  }
}

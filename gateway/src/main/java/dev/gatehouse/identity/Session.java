package dev.gatehouse.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A browser session, as the encrypted session cookie carries it: only what the policy needs about the user (subject,
 * email, groups, tenant, MFA evidence, auth time, the claims that policy conditions name), when it began and was last
 * used, and what a token refresh needs (the provider's refresh token and when its tokens expire).
 *
 * @param id random session id; a new one at every sign-in (no session fixation)
 * @param claims claims that policy conditions read, besides the mapped facts (e.g. {@code email_verified})
 * @param createdAt sign-in time: the absolute lifetime counts from here
 * @param touchedAt when the cookie was last written: the idle lifetime counts from here
 * @param refreshToken the provider's refresh token, or null when it issued none
 * @param tokensExpireAt when the provider's tokens expire (refreshed before), or null without a refresh token
 * @param stepUpAt when a sign-in that asked for stronger authentication completed, or null
 * @param stepUpRoute the route that sign-in stepped up for, or null
 */
public record Session(String id, String issuer, String subject, String email, Set<String> groups, String tenant,
    List<String> amr, String acr, Instant authTime, Map<String, Object> claims, Instant createdAt, Instant touchedAt,
    String refreshToken, Instant tokensExpireAt, Instant stepUpAt, String stepUpRoute) {

  static final int VERSION = 1;

  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(touchedAt, "touchedAt");
    groups = Set.copyOf(groups);
    amr = List.copyOf(amr);
    claims = Map.copyOf(claims);
  }

  /** When this session ends unless used again (idle) or at the latest (absolute). */
  public Instant expiresAt(Duration idleTimeout, Duration absoluteTimeout) {
    Instant idle = touchedAt.plus(idleTimeout);
    Instant absolute = createdAt.plus(absoluteTimeout);
    return idle.isBefore(absolute) ? idle : absolute;
  }

  /** The identity the policy judges: the same shape a bearer token gives, marked as a session. */
  public Identity identity(Instant expiresAt) {
    Map<String, Object> all = new LinkedHashMap<>(claims);
    all.put("sub", subject);
    all.put("iss", issuer);
    return new Identity(subject, issuer, email, groups, tenant, amr, acr, authTime, expiresAt, AuthMethod.SESSION, all);
  }

  public Session touched(Instant now) {
    return new Session(id, issuer, subject, email, groups, tenant, amr, acr, authTime, claims, createdAt, now,
        refreshToken, tokensExpireAt, stepUpAt, stepUpRoute);
  }

  /** This session after a token refresh: same id and sign-in time, the user's facts as the provider says now. */
  public Session refreshed(Session fresh, Instant now) {
    return new Session(id, issuer, subject, fresh.email, fresh.groups, fresh.tenant,
        fresh.amr.isEmpty() ? amr : fresh.amr, fresh.acr != null ? fresh.acr : acr,
        fresh.authTime != null ? fresh.authTime : authTime, fresh.claims, createdAt, now,
        fresh.refreshToken != null ? fresh.refreshToken : refreshToken, fresh.tokensExpireAt, stepUpAt, stepUpRoute);
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("v", VERSION);
    json.put("sid", id);
    json.put("iss", issuer);
    json.put("sub", subject);
    putIfNotNull(json, "email", email);
    json.put("groups", new ArrayList<>(groups));
    putIfNotNull(json, "tenant", tenant);
    if (!amr.isEmpty()) {
      json.put("amr", amr);
    }
    putIfNotNull(json, "acr", acr);
    putIfNotNull(json, "auth_time", authTime == null ? null : authTime.getEpochSecond());
    if (!claims.isEmpty()) {
      json.put("claims", claims);
    }
    json.put("iat", createdAt.getEpochSecond());
    json.put("touched", touchedAt.getEpochSecond());
    putIfNotNull(json, "rt", refreshToken);
    putIfNotNull(json, "tokens_exp", tokensExpireAt == null ? null : tokensExpireAt.getEpochSecond());
    putIfNotNull(json, "step_up", stepUpAt == null ? null : stepUpAt.getEpochSecond());
    putIfNotNull(json, "step_up_route", stepUpRoute);
    return json;
  }

  /** @throws IllegalArgumentException when the content is not a session of this version */
  static Session fromJson(Map<String, Object> json) {
    if (!(json.get("v") instanceof Number v) || v.intValue() != VERSION) {
      throw new IllegalArgumentException("not a session of version " + VERSION);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> claims = json.get("claims") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    return new Session(string(json, "sid", true), string(json, "iss", true), string(json, "sub", true),
        string(json, "email", false), new LinkedHashSet<>(strings(json, "groups")), string(json, "tenant", false),
        strings(json, "amr"), string(json, "acr", false), instant(json, "auth_time", false), withoutNulls(claims),
        instant(json, "iat", true), instant(json, "touched", true), string(json, "rt", false),
        instant(json, "tokens_exp", false), instant(json, "step_up", false), string(json, "step_up_route", false));
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> claims) {
    Map<String, Object> out = new LinkedHashMap<>();
    claims.forEach((k, val) -> {
      if (val != null) {
        out.put(k, val);
      }
    });
    return out;
  }

  private static void putIfNotNull(Map<String, Object> json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  private static String string(Map<String, Object> json, String key, boolean required) {
    Object value = json.get(key);
    if (value instanceof String s) {
      return s;
    }
    if (value == null && !required) {
      return null;
    }
    throw new IllegalArgumentException("'" + key + "' is missing or not a string");
  }

  private static List<String> strings(Map<String, Object> json, String key) {
    Object value = json.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("'" + key + "' is not a list");
    }
    List<String> out = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException("'" + key + "' holds a value that is not a string");
      }
      out.add(s);
    }
    return out;
  }

  private static Instant instant(Map<String, Object> json, String key, boolean required) {
    Object value = json.get(key);
    if (value instanceof Number n) {
      return Instant.ofEpochSecond(n.longValue());
    }
    if (value == null && !required) {
      return null;
    }
    throw new IllegalArgumentException("'" + key + "' is missing or not a number");
  }

  @Override
  public String toString() {
    // never the refresh token
    return "Session[" + id + " " + subject + "]";
  }
}

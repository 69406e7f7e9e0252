package dev.gatehouse.identity;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where an issuer keeps the facts the policy needs. Configured per issuer because IdPs differ: Keycloak puts roles
 * in {@code realm_access.roles}, Entra ID in {@code roles}, Okta in {@code groups}, Auth0 in a namespaced claim.
 */
public record ClaimMapping(ClaimPath email, List<ClaimPath> groups, ClaimPath tenant) {

  public static final ClaimMapping DEFAULT =
      new ClaimMapping(ClaimPath.parse("email"), List.of(ClaimPath.parse("groups")), ClaimPath.parse("tenant"));

  public ClaimMapping {
    Objects.requireNonNull(email, "email");
    groups = List.copyOf(groups);
  }

  /** Builds the identity from verified claims; the caller has checked signature, issuer, audience and expiry. */
  public Identity identityOf(Map<String, Object> claims, String issuer, Instant expiresAt, AuthMethod method) {
    Set<String> groupSet = new LinkedHashSet<>();
    for (ClaimPath path : groups) {
      groupSet.addAll(path.strings(claims));
    }
    Object sub = claims.get("sub");
    Object amr = claims.get("amr");
    List<String> amrList = amr instanceof List<?> ? ClaimPath.parse("amr").strings(claims) : List.of();
    Object acr = claims.get("acr");
    return new Identity(
        (String) sub,
        issuer,
        email.string(claims),
        groupSet,
        tenant == null ? null : tenant.string(claims),
        amrList,
        acr instanceof String s ? s : null,
        instant(claims.get("auth_time")),
        expiresAt,
        method,
        claims);
  }

  private static Instant instant(Object value) {
    if (value instanceof Number n) {
      return Instant.ofEpochSecond(n.longValue());
    }
    if (value instanceof Date d) {
      return d.toInstant();
    }
    return null;
  }
}

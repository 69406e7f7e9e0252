package dev.gatehouse.identity;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A verified caller: what the policy judges and what the app behind the gateway is told. Built only from a token
 * or session whose signature and claims were verified; never from a header or a network address.
 *
 * @param subject the {@code sub} claim, never null
 * @param issuer the exact {@code iss} of the token
 * @param email the mapped email claim, or null
 * @param groups groups and roles from the configured claims; permissions are granted from these
 * @param tenant the mapped tenant claim, or null
 * @param amr authentication methods references (RFC 8176), e.g. {@code pwd}, {@code otp}
 * @param acr authentication context class reference, or null
 * @param authTime when the user authenticated ({@code auth_time}), or null
 * @param expiresAt when the credential expires
 * @param method bearer token or browser session
 * @param claims every claim of the credential, for claim conditions
 */
public record Identity(String subject, String issuer, String email, Set<String> groups, String tenant,
    List<String> amr, String acr, Instant authTime, Instant expiresAt, AuthMethod method, Map<String, Object> claims) {

  public Identity {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(method, "method");
    groups = Set.copyOf(groups);
    amr = List.copyOf(amr);
    claims = withoutNulls(claims);
  }

  /** JSON null claims carry no information; dropping them lets the map be immutable. */
  private static Map<String, Object> withoutNulls(Map<String, Object> claims) {
    java.util.Map<String, Object> copy = new java.util.LinkedHashMap<>();
    claims.forEach((k, v) -> {
      if (v != null) {
        copy.put(k, v);
      }
    });
    return java.util.Collections.unmodifiableMap(copy);
  }
}

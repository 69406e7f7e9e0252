package dev.gatehouse.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds sessions from verified ID tokens: the issuer's claim mapping gives the same facts a bearer token would, and
 * of the other claims only those the policy's claim conditions read (and {@code email_verified}) are kept, so the
 * cookie stays small and holds nothing the policy does not need.
 */
public final class SessionFactory {

  private final ClaimMapping mapping;
  private final Supplier<Set<String>> policyClaims;
  private final InstantSource clock;

  /** @param policyClaims the top-level claim names the policy in force reads in claim conditions */
  public SessionFactory(ClaimMapping mapping, Supplier<Set<String>> policyClaims, InstantSource clock) {
    this.mapping = mapping;
    this.policyClaims = policyClaims;
    this.clock = clock;
  }

  /** A new session (new id) for a completed sign-in. */
  /** @param stepUpRoute the route the sign-in stepped up for, or null */
  public Session signedIn(JWTClaimsSet idToken, TokenEndpoint.Tokens tokens, String stepUpRoute) {
    Instant now = clock.instant();
    return build(Randoms.token(16), idToken, tokens, now, now, stepUpRoute == null ? null : now, stepUpRoute);
  }

  /** {@code current} after a refresh; {@code idToken} is null when the provider sent none. */
  public Session refreshed(Session current, JWTClaimsSet idToken, TokenEndpoint.Tokens tokens) {
    Instant now = clock.instant();
    if (idToken == null) {
      return new Session(current.id(), current.issuer(), current.subject(), current.email(), current.groups(),
          current.tenant(), current.amr(), current.acr(), current.authTime(), current.claims(), current.createdAt(), now,
          tokens.refreshToken() != null ? tokens.refreshToken() : current.refreshToken(),
          tokensExpireAt(tokens, null, now, current.refreshToken()), current.stepUpAt(), current.stepUpRoute());
    }
    Session fresh = build(current.id(), idToken, tokens, current.createdAt(), now, current.stepUpAt(),
        current.stepUpRoute());
    return current.refreshed(fresh, now);
  }

  private Session build(String id, JWTClaimsSet idToken, TokenEndpoint.Tokens tokens, Instant createdAt, Instant now,
      Instant stepUpAt, String stepUpRoute) {
    Map<String, Object> all = idToken.getClaims();
    Identity who = mapping.identityOf(all, idToken.getIssuer(), idToken.getExpirationTime().toInstant(),
        AuthMethod.SESSION);
    Map<String, Object> kept = new LinkedHashMap<>();
    for (String name : policyClaims.get()) {
      Object value = all.get(name);
      if (value != null) {
        kept.put(name, value);
      }
    }
    Object verified = all.get("email_verified");
    if (verified != null) {
      kept.put("email_verified", verified);
    }
    return new Session(id, who.issuer(), who.subject(), who.email(), who.groups(), who.tenant(), who.amr(), who.acr(),
        who.authTime(), jsonSafe(kept), createdAt, now, tokens.refreshToken(),
        tokensExpireAt(tokens, idToken, now, tokens.refreshToken()), stepUpAt, stepUpRoute);
  }

  /** Only a session that can refresh cares when the provider's tokens expire. */
  private static Instant tokensExpireAt(TokenEndpoint.Tokens tokens, JWTClaimsSet idToken, Instant now,
      String refreshToken) {
    if (refreshToken == null) {
      return null;
    }
    if (tokens.expiresIn() != null) {
      return now.plus(tokens.expiresIn());
    }
    return idToken == null ? now : idToken.getExpirationTime().toInstant();
  }

  /** Nimbus gives dates for some claims; the cookie holds JSON. */
  private static Map<String, Object> jsonSafe(Map<String, Object> claims) {
    Map<String, Object> out = new LinkedHashMap<>();
    claims.forEach((k, v) -> out.put(k, v instanceof java.util.Date d ? d.getTime() / 1000 : v));
    return out;
  }
}

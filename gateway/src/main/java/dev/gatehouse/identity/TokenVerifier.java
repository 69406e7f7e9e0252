package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.gatehouse.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.text.ParseException;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * Turns a bearer token into an {@link Identity}, or a rejection with a reason. The rules are those of the security
 * invariants: a per-issuer allow-list of asymmetric algorithms (never {@code none}, never HMAC), keys only from the
 * issuer's configured JWKS (key-carrying headers are ignored), exact {@code iss}, {@code aud} containing a
 * configured audience, {@code exp} and {@code sub} required, bounded clock skew, unknown {@code crit} rejected.
 *
 * <p>Never blocks: signature checks are CPU-only and short, key fetches are asynchronous, and the returned future
 * completes on the caller's context.
 */
public final class TokenVerifier {

  static final int MAX_TOKEN_LENGTH = 16 * 1024;

  private final Map<String, TrustedIssuer> issuers;
  private final TokenCache cache;
  private final InstantSource clock;

  public TokenVerifier(List<TrustedIssuer> issuers, TokenCache cache, InstantSource clock) {
    java.util.Map<String, TrustedIssuer> byIssuer = new java.util.HashMap<>();
    for (TrustedIssuer issuer : issuers) {
      byIssuer.put(issuer.issuer(), issuer);
    }
    this.issuers = Map.copyOf(byIssuer);
    this.cache = cache;
    this.clock = clock;
  }

  public Future<Identity> verify(String token) {
    try {
      if (token.length() > MAX_TOKEN_LENGTH) {
        throw Reason.TOKEN_INVALID.reject("the token is too large");
      }
      TokenCache.Digest digest = TokenCache.digest(token);
      Identity cached = cache.get(digest);
      if (cached != null) {
        return Future.succeededFuture(cached);
      }
      SignedJWT jwt = parse(token);
      JWTClaimsSet claims = claims(jwt);
      TrustedIssuer issuer = issuers.get(claims.getIssuer());
      if (issuer == null) {
        throw Reason.ISSUER_UNKNOWN.reject("the token's issuer is not trusted");
      }
      JWSHeader header = jwt.getHeader();
      if (!issuer.config().algorithms().contains(header.getAlgorithm())) {
        throw Reason.TOKEN_INVALID.reject("signature algorithm " + header.getAlgorithm() + " is not accepted");
      }
      if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
        throw Reason.TOKEN_INVALID.reject("the token has critical header parameters the gateway does not understand");
      }
      List<KeySet.Entry> candidates = issuer.keys().candidates(header);
      if (!candidates.isEmpty()) {
        return Future.succeededFuture(finish(issuer, jwt, claims, candidates, digest));
      }
      Context context = Vertx.currentContext();
      Future<KeySet> refreshed = issuer.refreshForUnknownKey();
      Future<KeySet> here = context == null ? refreshed : Future.fromCompletionStage(refreshed.toCompletionStage(), context);
      return here.map(keys -> {
        if (keys.isEmpty()) {
          throw Reason.IDP_UNAVAILABLE.reject("the identity provider's keys are not available yet");
        }
        List<KeySet.Entry> retry = keys.candidates(header);
        if (retry.isEmpty()) {
          throw Reason.KEY_UNKNOWN.reject("the token is signed with a key the issuer does not publish");
        }
        return finish(issuer, jwt, claims, retry, digest);
      });
    } catch (Reason.Rejection r) {
      return Future.failedFuture(r);
    }
  }

  private static SignedJWT parse(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw Reason.TOKEN_INVALID.reject("the token is not a well-formed JWT");
    }
    if (jwt instanceof PlainJWT) {
      throw Reason.TOKEN_INVALID.reject("unsigned tokens (alg none) are not accepted");
    }
    if (jwt instanceof EncryptedJWT) {
      throw Reason.TOKEN_INVALID.reject("encrypted tokens are not accepted");
    }
    return (SignedJWT) jwt;
  }

  private static JWTClaimsSet claims(SignedJWT jwt) {
    try {
      return jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw Reason.TOKEN_INVALID.reject("the token's claims are not a JSON object");
    }
  }

  private Identity finish(TrustedIssuer issuer, SignedJWT jwt, JWTClaimsSet claims, List<KeySet.Entry> candidates,
      TokenCache.Digest digest) {
    if (!verifiesWithAny(jwt, candidates)) {
      throw Reason.TOKEN_INVALID.reject("the token's signature does not verify");
    }
    try {
      issuer.claimsVerifier().verify(claims, null);
    } catch (ExpiredJWTException e) {
      throw Reason.TOKEN_EXPIRED.reject("the token has expired");
    } catch (BadJWTException e) {
      throw Reason.TOKEN_INVALID.reject(describe(e));
    }
    Identity identity = issuer.config().claims().identityOf(claims.getClaims(), claims.getIssuer(),
        claims.getExpirationTime().toInstant(), AuthMethod.BEARER);
    cache.put(digest, identity, issuer.config().clockSkew());
    return identity;
  }

  private static boolean verifiesWithAny(SignedJWT jwt, List<KeySet.Entry> candidates) {
    for (KeySet.Entry candidate : candidates) {
      try {
        if (jwt.verify(candidate.verifier())) {
          return true;
        }
      } catch (JOSEException | IllegalStateException e) {
        // a key that cannot process this token does not verify it; try the next
      }
    }
    return false;
  }

  /** A short, non-sensitive description of a failed claims check (Nimbus messages echo claim values). */
  private static String describe(BadJWTException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("audience")) {
      return "the token is not meant for this gateway (audience)";
    }
    if (m.contains("iss claim")) {
      return "the token's issuer does not match";
    }
    if (m.contains("missing required claims")) {
      return "the token lacks required claims (sub, exp, iss, aud)";
    }
    if (m.contains("before use time")) {
      return "the token is not valid yet";
    }
    return "the token's claims are not acceptable";
  }

  public InstantSource clock() {
    return clock;
  }
}

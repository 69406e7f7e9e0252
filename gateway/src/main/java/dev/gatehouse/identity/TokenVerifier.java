package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.text.ParseException;
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
  private final IdentityMetrics metrics;

  public TokenVerifier(List<TrustedIssuer> issuers, TokenCache cache) {
    this(issuers, cache, IdentityMetrics.NONE);
  }

  public TokenVerifier(List<TrustedIssuer> issuers, TokenCache cache, IdentityMetrics metrics) {
    java.util.Map<String, TrustedIssuer> byIssuer = new java.util.HashMap<>();
    for (TrustedIssuer issuer : issuers) {
      byIssuer.put(issuer.issuer(), issuer);
    }
    this.issuers = Map.copyOf(byIssuer);
    this.cache = cache;
    this.metrics = metrics;
  }

  public Future<Identity> verify(String token) {
    Future<Identity> result = check(token);
    if (result.isComplete()) {
      recordFailure(result);
    } else {
      result.onComplete(ar -> recordFailure(result));
    }
    return result;
  }

  /** Successes are recorded where they happen (cached or verified); failures here, with their reason. */
  private void recordFailure(Future<Identity> result) {
    if (result.failed()) {
      metrics.token(result.cause() instanceof Reason.Rejection r ? r.reason().code() : "error");
    }
  }

  private Future<Identity> check(String token) {
    try {
      if (token.length() > MAX_TOKEN_LENGTH) {
        throw Reason.TOKEN_INVALID.reject("the token is too large");
      }
      TokenCache.Digest digest = TokenCache.digest(token);
      Identity cached = cache.get(digest);
      if (cached != null) {
        metrics.token("cached");
        return Future.succeededFuture(cached);
      }
      SignedJWT jwt = parse(token);
      JWTClaimsSet claims = claims(jwt);
      TrustedIssuer issuer = issuers.get(claims.getIssuer());
      if (issuer == null) {
        throw Reason.ISSUER_UNKNOWN.reject("the token's issuer is not trusted");
      }
      JWSHeader header = jwt.getHeader();
      checkHeader(issuer.config(), header);
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

  /**
   * Every check except the signature, and the identity the claims map to. For tests and fuzzing only: an identity from
   * here is NOT authenticated.
   */
  static Identity inspectUnverified(String token, dev.gatehouse.config.GatewayConfig.Issuer issuer, ClaimsRules rules) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw Reason.TOKEN_INVALID.reject("the token is too large");
    }
    SignedJWT jwt = parse(token);
    JWTClaimsSet claims = claims(jwt);
    if (!issuer.issuer().toString().equals(claims.getIssuer())) {
      throw Reason.ISSUER_UNKNOWN.reject("the token's issuer is not trusted");
    }
    checkHeader(issuer, jwt.getHeader());
    rules.check(claims);
    return issuer.claims().identityOf(claims.getClaims(), claims.getIssuer(), claims.getExpirationTime().toInstant(),
        AuthMethod.BEARER);
  }

  private static void checkHeader(dev.gatehouse.config.GatewayConfig.Issuer issuer, JWSHeader header) {
    if (!issuer.algorithms().contains(header.getAlgorithm())) {
      throw Reason.TOKEN_INVALID.reject("signature algorithm " + header.getAlgorithm() + " is not accepted");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      throw Reason.TOKEN_INVALID.reject("the token has critical header parameters the gateway does not understand");
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
    issuer.claimsRules().check(claims);
    Identity identity = issuer.config().claims().identityOf(claims.getClaims(), claims.getIssuer(),
        claims.getExpirationTime().toInstant(), AuthMethod.BEARER);
    cache.put(digest, identity, issuer.config().clockSkew());
    metrics.token("verified");
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

}

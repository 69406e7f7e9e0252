package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.gatehouse.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Verifies an ID token from the token endpoint (OpenID Connect Core 1.0 section 3.1.3.7): signed by the issuer with an
 * allowed asymmetric algorithm and a key from its JWKS, exact {@code iss}, {@code aud} containing the gateway's client
 * id, {@code azp} equal to it when present (required with several audiences), {@code exp} and {@code iat} with bounded
 * skew, and the {@code nonce} the sign-in sent. Failures are {@code sign-in-failed} with a message that echoes no
 * claim value.
 */
public final class IdTokenVerifier {

  private final TrustedIssuer issuer;
  private final String clientId;
  private final DefaultJWTClaimsVerifier<?> claimsVerifier;

  public IdTokenVerifier(TrustedIssuer issuer, String clientId, InstantSource clock) {
    this.issuer = issuer;
    this.clientId = clientId;
    this.claimsVerifier = new DefaultJWTClaimsVerifier<>(clientId,
        new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(), Set.of("sub", "exp", "iat", "iss", "aud")) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claimsVerifier.setMaxClockSkew((int) issuer.config().clockSkew().toSeconds());
  }

  /**
   * @param expectedNonce the sign-in's nonce, or null for an ID token from a refresh (which may repeat the original
   *     nonce or carry none)
   * @return the verified claims; completes on the caller's context
   */
  public Future<JWTClaimsSet> verify(String idToken, String expectedNonce) {
    try {
      if (idToken == null || idToken.length() > TokenVerifier.MAX_TOKEN_LENGTH) {
        throw Reason.SIGN_IN_FAILED.reject("the provider sent no usable ID token");
      }
      SignedJWT jwt = parse(idToken);
      JWSHeader header = jwt.getHeader();
      if (!issuer.config().algorithms().contains(header.getAlgorithm())) {
        throw Reason.SIGN_IN_FAILED.reject("the ID token is signed with an algorithm that is not accepted");
      }
      if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
        throw Reason.SIGN_IN_FAILED.reject("the ID token has critical header parameters");
      }
      List<KeySet.Entry> candidates = issuer.keys().candidates(header);
      if (!candidates.isEmpty()) {
        return Future.succeededFuture(check(jwt, candidates, expectedNonce));
      }
      Context context = Vertx.currentContext();
      Future<KeySet> refreshed = issuer.refreshForUnknownKey();
      Future<KeySet> here = context == null ? refreshed
          : Future.fromCompletionStage(refreshed.toCompletionStage(), context);
      return here.map(keys -> {
        if (keys.isEmpty()) {
          throw Reason.IDP_UNAVAILABLE.reject("the identity provider's keys are not available");
        }
        List<KeySet.Entry> retry = keys.candidates(header);
        if (retry.isEmpty()) {
          throw Reason.SIGN_IN_FAILED.reject("the ID token is signed with a key the issuer does not publish");
        }
        return check(jwt, retry, expectedNonce);
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
      throw Reason.SIGN_IN_FAILED.reject("the ID token is not a well-formed JWT");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token is not signed");
    }
    return signed;
  }

  private JWTClaimsSet check(SignedJWT jwt, List<KeySet.Entry> candidates, String expectedNonce) {
    boolean verified = false;
    for (KeySet.Entry candidate : candidates) {
      try {
        if (jwt.verify(candidate.verifier())) {
          verified = true;
          break;
        }
      } catch (JOSEException | IllegalStateException e) {
        // this key cannot process the token; try the next
      }
    }
    if (!verified) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token's signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token's claims are not a JSON object");
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(clientId)) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token was not issued to this gateway (aud)");
    }
    try {
      claimsVerifier.verify(claims, null);
    } catch (ExpiredJWTException e) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token has expired");
    } catch (BadJWTException e) {
      String m = String.valueOf(e.getMessage());
      throw Reason.SIGN_IN_FAILED.reject(m.contains("audience") ? "the ID token was not issued to this gateway (aud)"
          : m.contains("iss claim") ? "the ID token's issuer does not match"
          : m.contains("missing required claims") ? "the ID token lacks required claims (sub, exp, iat, iss, aud)"
          : "the ID token's claims are not acceptable");
    }
    Object azp = claims.getClaim("azp");
    List<String> audience = claims.getAudience();
    if (azp != null && !clientId.equals(azp)) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token was issued to another client (azp)");
    }
    if (azp == null && audience.size() > 1) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token has several audiences but no azp");
    }
    Object nonce = claims.getClaim("nonce");
    if (expectedNonce != null && !(nonce instanceof String n && MessageDigest.isEqual(
        n.getBytes(StandardCharsets.UTF_8), expectedNonce.getBytes(StandardCharsets.UTF_8)))) {
      throw Reason.SIGN_IN_FAILED.reject("the ID token's nonce does not match the sign-in");
    }
    return claims;
  }
}

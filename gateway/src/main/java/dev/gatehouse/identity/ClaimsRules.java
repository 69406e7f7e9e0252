package dev.gatehouse.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import java.time.InstantSource;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;

/**
 * The claim rules of one issuer: exact {@code iss}, {@code aud} containing a configured audience, {@code sub},
 * {@code exp}, {@code iss} and {@code aud} present, {@code exp} and {@code nbf} with bounded skew, judged by the
 * gateway's clock. Built once per issuer.
 */
final class ClaimsRules {

  private final DefaultJWTClaimsVerifier<?> verifier;

  ClaimsRules(GatewayConfig.Issuer config, InstantSource clock) {
    JWTClaimsSet exact = new JWTClaimsSet.Builder().issuer(config.issuer().toString()).build();
    this.verifier = new DefaultJWTClaimsVerifier<>(
        new HashSet<>(config.audiences()), exact, Set.of("sub", "exp", "iss", "aud"), Set.of()) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    verifier.setMaxClockSkew((int) config.clockSkew().toSeconds());
  }

  /** @throws Reason.Rejection token-expired or token-invalid, with a message that echoes no claim value */
  void check(JWTClaimsSet claims) {
    try {
      verifier.verify(claims, null);
    } catch (ExpiredJWTException e) {
      throw Reason.TOKEN_EXPIRED.reject("the token has expired");
    } catch (BadJWTException e) {
      throw Reason.TOKEN_INVALID.reject(describe(e));
    }
  }

  /** Nimbus messages echo claim values; these do not. */
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
}

package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.JWKGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.time.Instant;
import java.util.Date;

/**
 * New private signing keys as JWKs, with the RFC 7638 thumbprint as {@code kid}. Slow (RSA especially) and it draws
 * on the system's entropy: never call it on an event loop.
 */
public final class SigningKeyGenerator {

  /** RSA keys sign on the event loop, so they are no larger than needed; prefer ES256, which is far cheaper. */
  static final int RSA_BITS = 2048;

  private SigningKeyGenerator() {}

  /**
   * @param notBefore the JWK {@code nbf}: the key is published at once but signs only from then on; null for now
   * @param issuedAt the JWK {@code iat}, for the operator's information
   */
  public static JWK generate(JWSAlgorithm algorithm, Instant notBefore, Instant issuedAt) {
    JWKGenerator<? extends JWK> generator;
    if (JWSAlgorithm.ES256.equals(algorithm)) {
      generator = new ECKeyGenerator(Curve.P_256);
    } else if (JWSAlgorithm.RS256.equals(algorithm)) {
      generator = new RSAKeyGenerator(RSA_BITS);
    } else {
      throw new IllegalArgumentException(algorithm + " (expected: ES256 or RS256)");
    }
    generator.algorithm(algorithm).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).issueTime(Date.from(issuedAt));
    if (notBefore != null) {
      generator.notBeforeTime(Date.from(notBefore));
    }
    try {
      return generator.generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }
}

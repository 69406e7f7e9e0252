package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.gatehouse.tls.Providers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's signing keys at one point of their life: an immutable snapshot. Every key whose {@code exp} has not
 * passed is published; the one that signs is the key with the latest {@code nbf} at or before now. So an operator
 * rotates by adding a key whose {@code nbf} lies in the future: it is published at once and signs from its
 * {@code nbf} on, while the previous key stays published until it is removed or expires.
 */
public final class KeyRing {

  /** RSA keys below this size are refused. */
  static final int MIN_RSA_BITS = 2048;

  private final List<SigningKey> keys;

  public KeyRing(List<SigningKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a key ring needs at least one key");
    }
    this.keys = List.copyOf(keys);
  }

  public List<SigningKey> keys() {
    return keys;
  }

  /** The key that signs at {@code now}, or null when none may (all expired, or none valid yet). */
  public SigningKey signingKey(Instant now) {
    SigningKey best = null;
    for (SigningKey k : keys) {
      if (k.maySignAt(now) && (best == null || !notBefore(k).isBefore(notBefore(best)))) {
        best = k; // ties go to the key written later
      }
    }
    return best;
  }

  private static Instant notBefore(SigningKey k) {
    return k.notBefore() == null ? Instant.MIN : k.notBefore();
  }

  /** The keys an app may see signatures from at {@code now}: every key that has not expired. */
  public List<SigningKey> published(Instant now) {
    return keys.stream().filter(k -> k.publishedAt(now)).toList();
  }

  /** The published keys as a JWK Set document (RFC 7517 section 5), public parts only. */
  public String jwks(Instant now) {
    return new JWKSet(published(now).stream().map(SigningKey::publicJwk).toList()).toString(true);
  }

  /**
   * Reads a JWK Set with private keys: each needs a unique {@code kid}; EC P-256 keys sign with ES256, RSA keys
   * (at least 2048 bits) with RS256; {@code alg}, {@code use}, {@code nbf} and {@code exp} are honoured.
   */
  public static KeyRing parse(byte[] content) throws KeyRingException {
    List<SigningKey> keys = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    JwkSetKeys.forEach(content, "private key", (jwk, where) -> {
      SigningKey key = signingKey(jwk, where);
      if (!kids.add(key.kid())) {
        throw new KeyRingException(where + ": kid '" + key.kid() + "' appears twice");
      }
      keys.add(key);
    });
    return new KeyRing(keys);
  }

  /** A signing key from a private JWK; {@code where} prefixes error messages. */
  public static SigningKey signingKey(JWK jwk, String where) throws KeyRingException {
    String kid = jwk.getKeyID();
    if (kid == null || kid.isBlank()) {
      throw new KeyRingException(where + ": the key has no 'kid' (apps find the key of an assertion by it)");
    }
    where = where + " (kid " + kid + ")";
    if (!jwk.isPrivate()) {
      throw new KeyRingException(where + ": the key has no private part (expected: a private JWK)");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new KeyRingException(where + ": 'use' is '" + jwk.getKeyUse().identifier() + "' (expected: sig)");
    }
    Instant notBefore = instant(jwk.getNotBeforeTime());
    Instant expiresAt = instant(jwk.getExpirationTime());
    if (notBefore != null && expiresAt != null && !expiresAt.isAfter(notBefore)) {
      throw new KeyRingException(where + ": 'exp' is not after 'nbf'");
    }
    try {
      if (jwk instanceof ECKey ec) {
        if (!Curve.P_256.equals(ec.getCurve())) {
          throw new KeyRingException(where + ": curve " + ec.getCurve() + " (expected: P-256 for ES256)");
        }
        requireAlgorithm(jwk, JWSAlgorithm.ES256, where);
        JWK published = new ECKey.Builder(ec.getCurve(), ec.getX(), ec.getY())
            .keyID(kid).algorithm(JWSAlgorithm.ES256).keyUse(KeyUse.SIGNATURE).build();
        ECDSASigner signer = new ECDSASigner(bouncyCastleKey(ec), Curve.P_256);
        signer.getJCAContext().setProvider(Providers.BOUNCY_CASTLE);
        return new SigningKey(kid, JWSAlgorithm.ES256, published, tried(signer, JWSAlgorithm.ES256), notBefore,
            expiresAt);
      }
      if (jwk instanceof RSAKey rsa) {
        if (rsa.size() < MIN_RSA_BITS) {
          throw new KeyRingException(where + ": a " + rsa.size() + "-bit RSA key (expected: at least " + MIN_RSA_BITS
              + " bits)");
        }
        requireAlgorithm(jwk, JWSAlgorithm.RS256, where);
        JWK published = new RSAKey.Builder(rsa.getModulus(), rsa.getPublicExponent())
            .keyID(kid).algorithm(JWSAlgorithm.RS256).keyUse(KeyUse.SIGNATURE).build();
        return new SigningKey(kid, JWSAlgorithm.RS256, published, tried(new RSASSASigner(rsa), JWSAlgorithm.RS256),
            notBefore, expiresAt);
      }
    } catch (JOSEException e) {
      throw new KeyRingException(where + ": unusable key: " + e.getMessage(), e);
    }
    throw new KeyRingException(where + ": key type " + jwk.getKeyType() + " (expected: EC P-256 or RSA)");
  }

  /**
   * The key as BouncyCastle's own object. Given a JDK key, BouncyCastle converts its curve parameters on every
   * signature and so loses its cached fixed-base tables: a signature then costs about 3.5 times as much.
   */
  private static java.security.PrivateKey bouncyCastleKey(ECKey ec) throws JOSEException {
    try {
      return java.security.KeyFactory.getInstance("EC", Providers.BOUNCY_CASTLE)
          .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(ec.toECPrivateKey().getEncoded()));
    } catch (java.security.GeneralSecurityException e) {
      throw new JOSEException("cannot convert the EC key: " + e.getMessage(), e);
    }
  }

  /**
   * Signs once with a new signer: a key that cannot sign is refused when it is loaded, not on the first request, and
   * the one-off cost of the first signature (provider lookup, class loading) is paid here, off the event loop.
   */
  private static JWSSigner tried(JWSSigner signer, JWSAlgorithm algorithm) throws JOSEException {
    new JWSObject(new JWSHeader(algorithm), new Payload("gatehouse")).sign(signer);
    return signer;
  }

  private static void requireAlgorithm(JWK jwk, JWSAlgorithm expected, String where) throws KeyRingException {
    if (jwk.getAlgorithm() != null && !expected.getName().equals(jwk.getAlgorithm().getName())) {
      throw new KeyRingException(where + ": 'alg' is " + jwk.getAlgorithm() + " (expected: " + expected
          + " for this key type)");
    }
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}

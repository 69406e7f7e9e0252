package dev.gatehouse.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.Objects;

/**
 * One of the gateway's own signing keys: its public half as published, and a signer built once from its private
 * half. Signers are thread-safe and shared by every event loop.
 *
 * @param publicJwk what the JWKS publishes: key material, {@code kid}, {@code alg}, {@code use}; nothing else
 * @param notBefore the key signs from then on (JWK {@code nbf}); null means from the start
 * @param expiresAt the key is neither published nor used from then on (JWK {@code exp}); null means never
 */
public record SigningKey(String kid, JWSAlgorithm algorithm, JWK publicJwk, JWSSigner signer, Instant notBefore,
    Instant expiresAt) {

  public SigningKey {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(publicJwk, "publicJwk");
    Objects.requireNonNull(signer, "signer");
    if (publicJwk.isPrivate()) {
      throw new IllegalArgumentException("publicJwk must not contain private key material");
    }
  }

  boolean publishedAt(Instant now) {
    return expiresAt == null || expiresAt.isAfter(now);
  }

  boolean maySignAt(Instant now) {
    return publishedAt(now) && (notBefore == null || !notBefore.isAfter(now));
  }
}

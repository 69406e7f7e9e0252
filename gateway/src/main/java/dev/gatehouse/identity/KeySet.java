package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One issuer's signature keys as fetched from its JWKS, with a verifier built once per key. Immutable; a refresh
 * builds a new one. Symmetric keys, encryption keys and keys that cannot verify are left out, so an {@code oct} key
 * published by mistake can never turn into an HMAC secret.
 */
public final class KeySet {

  /** A key and the verifier built for it. */
  record Entry(JWK key, JWSVerifier verifier) {}

  public static final KeySet EMPTY = new KeySet(Map.of(), List.of(), null, "");

  private final Map<String, List<Entry>> byKid;
  private final List<Entry> all;
  private final Instant fetchedAt;
  private final String fingerprint;

  private KeySet(Map<String, List<Entry>> byKid, List<Entry> all, Instant fetchedAt, String fingerprint) {
    this.byKid = byKid;
    this.all = all;
    this.fetchedAt = fetchedAt;
    this.fingerprint = fingerprint;
  }

  /** Parses a JWKS document. Keys that cannot be used for signatures are skipped. */
  public static KeySet parse(String json, Instant fetchedAt) throws ParseException {
    JWKSet set = JWKSet.parse(json);
    Map<String, List<Entry>> byKid = new HashMap<>();
    List<Entry> all = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
        continue;
      }
      if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
        continue;
      }
      JWSVerifier verifier = verifierFor(jwk.toPublicJWK());
      if (verifier == null) {
        continue;
      }
      Entry entry = new Entry(jwk.toPublicJWK(), verifier);
      all.add(entry);
      if (jwk.getKeyID() != null) {
        byKid.computeIfAbsent(jwk.getKeyID(), k -> new ArrayList<>()).add(entry);
      }
      ids.add(jwk.getKeyID() + ":" + thumbprint(jwk));
    }
    ids.sort(null);
    return new KeySet(Map.copyOf(byKid), List.copyOf(all), fetchedAt, String.join(",", ids));
  }

  private static String thumbprint(JWK jwk) {
    try {
      return jwk.computeThumbprint().toString();
    } catch (JOSEException e) {
      return "?";
    }
  }

  private static JWSVerifier verifierFor(JWK jwk) {
    try {
      if (jwk instanceof RSAKey rsa) {
        return new RSASSAVerifier(rsa);
      }
      if (jwk instanceof ECKey ec) {
        return new ECDSAVerifier(ec);
      }
    } catch (JOSEException e) {
      return null;
    }
    return null;
  }

  /**
   * The keys that could have signed a token with this header: by {@code kid} when the token names one, otherwise
   * every key; always filtered by algorithm. Key-carrying headers ({@code jwk}, {@code jku}, {@code x5u},
   * {@code x5c}) are never consulted.
   */
  List<Entry> candidates(JWSHeader header) {
    List<Entry> pool = header.getKeyID() == null ? all : byKid.getOrDefault(header.getKeyID(), List.of());
    JWSAlgorithm alg = header.getAlgorithm();
    List<Entry> out = null;
    for (Entry e : pool) {
      boolean algMatches = e.key().getAlgorithm() == null || e.key().getAlgorithm().equals(alg);
      if (algMatches && e.verifier().supportedJWSAlgorithms().contains(alg)) {
        if (out == null) {
          out = new ArrayList<>(1);
        }
        out.add(e);
      }
    }
    return out == null ? List.of() : out;
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  public int size() {
    return all.size();
  }

  /** When these keys were fetched; null for the empty set before the first fetch. */
  public Instant fetchedAt() {
    return fetchedAt;
  }

  /** Identifies the key material (kid and thumbprint of each key); equal fingerprints mean equal keys. */
  public String fingerprint() {
    return fingerprint;
  }
}

package dev.gatehouse.identity;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The keys that encrypt the gateway's cookies (AES-256-GCM, JWE {@code dir}): an immutable snapshot. The first key
 * encrypts, every key decrypts, so an operator rotates by adding a key, and later putting it first; cookies encrypted
 * with a key that was removed no longer open (those sessions end). Encrypters and decrypters are built once here, so
 * the request path does no key preparation.
 */
public final class SessionKeys {

  /** One key, ready to use. */
  record Key(String kid, DirectEncrypter encrypter, DirectDecrypter decrypter) {}

  private final List<Key> keys;
  private final Map<String, Key> byKid;

  private SessionKeys(List<Key> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one cookie key is needed");
    }
    this.keys = List.copyOf(keys);
    Map<String, Key> map = new HashMap<>();
    for (Key k : keys) {
      map.put(k.kid(), k);
    }
    this.byKid = Map.copyOf(map);
  }

  /** One fresh random key (for a single replica or development: a restart ends every session). */
  public static SessionKeys generate() {
    try {
      return new SessionKeys(List.of(key(newJwk())));
    } catch (KeyRingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new 256-bit key as a JWK with a random {@code kid}, for key files. */
  public static OctetSequenceKey newJwk() {
    try {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      String kid = "session-" + HexFormat.of().toHexDigits(r.nextLong()).substring(0, 12);
      return new OctetSequenceKeyGenerator(256).keyID(kid).keyUse(KeyUse.ENCRYPTION)
          .algorithm(JWEAlgorithm.DIR).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a JWK Set of {@code oct} keys of exactly 256 bits, each with a unique {@code kid}; {@code use}, when given,
   * must be {@code enc}, and {@code alg} {@code dir} or {@code A256GCM}.
   */
  public static SessionKeys parse(byte[] content) throws KeyRingException {
    List<Key> keys = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    JwkSetKeys.forEach(content, "256-bit oct key; gatehouse keys generate --type session writes one", (jwk, where) -> {
      if (!(jwk instanceof OctetSequenceKey oct)) {
        throw new KeyRingException(where + ": key type " + jwk.getKeyType() + " (expected: oct, a 256-bit AES key)");
      }
      if (oct.getKeyID() == null || oct.getKeyID().isBlank()) {
        throw new KeyRingException(where + ": the key has no 'kid' (cookies name the key that encrypted them)");
      }
      where = where + " (kid " + oct.getKeyID() + ")";
      if (oct.size() != 256) {
        throw new KeyRingException(where + ": a " + oct.size() + "-bit key (expected: exactly 256 bits for AES-256-GCM)");
      }
      if (oct.getKeyUse() != null && !KeyUse.ENCRYPTION.equals(oct.getKeyUse())) {
        throw new KeyRingException(where + ": 'use' is '" + oct.getKeyUse().identifier() + "' (expected: enc)");
      }
      if (oct.getAlgorithm() != null && !oct.getAlgorithm().getName().equals("dir")
          && !oct.getAlgorithm().getName().equals(EncryptionMethod.A256GCM.getName())) {
        throw new KeyRingException(where + ": 'alg' is " + oct.getAlgorithm() + " (expected: dir or A256GCM)");
      }
      if (!kids.add(oct.getKeyID())) {
        throw new KeyRingException(where + ": kid '" + oct.getKeyID() + "' appears twice");
      }
      keys.add(key(oct));
    });
    return new SessionKeys(keys);
  }

  private static Key key(OctetSequenceKey jwk) throws KeyRingException {
    try {
      return new Key(jwk.getKeyID(), new DirectEncrypter(jwk), new DirectDecrypter(jwk));
    } catch (JOSEException e) {
      throw new KeyRingException("kid " + jwk.getKeyID() + ": unusable key: " + e.getMessage(), e);
    }
  }

  /** The key that encrypts: the first. */
  Key encrypting() {
    return keys.get(0);
  }

  /** The key with this id, or null. */
  Key decrypting(String kid) {
    return kid == null ? null : byKid.get(kid);
  }

  public List<String> kids() {
    return keys.stream().map(Key::kid).toList();
  }
}

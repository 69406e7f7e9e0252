package dev.gatehouse.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable values for sign-in (state, nonce, PKCE verifier, session id), and the PKCE S256 challenge. */
public final class Randoms {

  /** The platform default: non-blocking (/dev/urandom based), safe on the event loop. */
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private Randoms() {}

  /** {@code bytes} random bytes, base64url without padding. */
  public static String token(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64URL.encodeToString(b);
  }

  /** RFC 7636 section 4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
  public static String s256Challenge(String verifier) {
    try {
      return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

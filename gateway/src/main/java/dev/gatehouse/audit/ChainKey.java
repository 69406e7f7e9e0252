package dev.gatehouse.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that turns the event chain into an HMAC-SHA256 chain, which nobody without the key can recompute.
 * It comes from a file or an environment variable, never from the YAML itself: its bytes are the UTF-8 text with
 * surrounding whitespace (a trailing newline) removed, at least {@value #MINIMUM_BYTES} of them, e.g. the output of
 * {@code openssl rand -hex 32}. {@link #toString()} never shows it.
 */
public final class ChainKey {

  public static final int MINIMUM_BYTES = 32;

  private final byte[] key;
  private final String id;

  private ChainKey(byte[] key) {
    this.key = key;
    try {
      // a fingerprint, so that operators can tell which key a log needs; useless for guessing a 32-byte random key
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      this.id = HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a key file. Blocking. */
  public static ChainKey fromFile(Path file) throws IOException {
    return fromText(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * A key from its text (a file's content or an environment variable's value).
   *
   * @throws IllegalArgumentException when the key is too short
   */
  public static ChainKey fromText(String text, String origin) {
    byte[] bytes = text.strip().getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MINIMUM_BYTES) {
      throw new IllegalArgumentException("the key in " + origin + " has " + bytes.length + " bytes (expected: at least "
          + MINIMUM_BYTES + ", e.g. the output of 'openssl rand -hex 32')");
    }
    return new ChainKey(bytes);
  }

  /** The first 16 hex digits of the key's SHA-256 digest. */
  public String id() {
    return id;
  }

  Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "ChainKey[" + id + "]";
  }
}

package dev.gatehouse.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;

/**
 * Links every event line to the one before it. The line format, which a third party can verify without this code:
 *
 * <pre>
 * {"time":...,"type":...,"event_id":...,"seq":N, ...fields..., "prev":"&lt;P&gt;","hash":"&lt;H&gt;"}\n
 * </pre>
 *
 * <ul>
 *   <li>{@code hash} is always the last member, written exactly as {@code ,"hash":"} + 64 lower-case hex digits +
 *       {@code "}} at the end of the line (no spaces), so it can be cut off by position: {@value #HASH_MEMBER_LENGTH}
 *       bytes.
 *   <li>H = SHA-256, or HMAC-SHA256 with the chain key, of the line's exact UTF-8 bytes without its newline and
 *       without its {@code ,"hash":"<H>"} member: that is, the first (length - 75) bytes followed by one {@code }}.
 *       The bytes are hashed as written, never re-serialized.
 *   <li>P ({@code prev}) is the H of the previous line in the chain, or {@value #GENESIS} (64 zeros) for the first.
 *   <li>{@code seq} counts up by one per line.
 * </ul>
 *
 * Confined to the event log's writer thread.
 */
public final class HashChain {

  public static final String GENESIS = "0".repeat(64);

  /** Length of {@code ,"hash":"<64 hex>"}} at the end of every line. */
  public static final int HASH_MEMBER_LENGTH = 75;

  /** Length of {@code ,"prev":"<64 hex>"} just before it in lines this writer produces. */
  static final int PREV_MEMBER_LENGTH = 74;

  private static final byte[] HASH_PREFIX = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PREV_PREFIX = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);

  private final ChainKey key;
  private final Mac mac;
  private final MessageDigest digest;
  private byte[] last;
  private long nextSeq;

  /**
   * @param key the HMAC key, or null for a plain SHA-256 chain
   * @param previous the hash of the line this chain continues, or {@link #GENESIS}
   * @param nextSeq the {@code seq} of the first line
   */
  public HashChain(ChainKey key, String previous, long nextSeq) {
    this.key = key;
    this.mac = key == null ? null : key.newMac();
    this.digest = key == null ? sha256() : null;
    this.last = previous.getBytes(StandardCharsets.US_ASCII);
    this.nextSeq = nextSeq;
    if (last.length != 64) {
      throw new IllegalArgumentException("not a hash: " + previous);
    }
  }

  /** {@code sha256} or {@code hmac-sha256}. */
  public String algorithm() {
    return key == null ? "sha256" : "hmac-sha256";
  }

  /** The key's id, or null for a plain chain. */
  public String keyId() {
    return key == null ? null : key.id();
  }

  /** The {@code seq} the next line will carry. */
  public long nextSeq() {
    return nextSeq;
  }

  /** The hash of the last line sealed (or the one this chain continues). */
  public String lastHash() {
    return new String(last, StandardCharsets.US_ASCII);
  }

  /**
   * Fills in {@code prev} and {@code hash} of a serialized event whose last two members are the placeholders
   * {@code "prev":"<64 chars>","hash":"<64 chars>"}, and returns the line with its newline. Advances the chain.
   */
  byte[] seal(byte[] object) {
    int n = object.length;
    int hashAt = n - HASH_MEMBER_LENGTH;
    int prevAt = hashAt - PREV_MEMBER_LENGTH;
    if (prevAt < 0 || !regionEquals(object, hashAt, HASH_PREFIX) || !regionEquals(object, prevAt, PREV_PREFIX)) {
      throw new IllegalArgumentException("the serialized event does not end with the prev and hash placeholders");
    }
    byte[] line = Arrays.copyOf(object, n + 1);
    System.arraycopy(last, 0, line, prevAt + PREV_PREFIX.length, 64);
    byte[] hash = hex(contentHash(line, n));
    System.arraycopy(hash, 0, line, hashAt + HASH_PREFIX.length, 64);
    line[n] = '\n';
    last = hash;
    nextSeq++;
    return line;
  }

  /**
   * The hash of a sealed line's content (see the class comment), or null when the line does not end with a
   * well-formed hash member.
   *
   * @param length the line's length without its newline
   */
  byte[] contentHash(byte[] line, int length) {
    if (!hasHashMember(line, length)) {
      return null;
    }
    int content = length - HASH_MEMBER_LENGTH;
    if (mac != null) {
      mac.update(line, 0, content);
      mac.update((byte) '}');
      return mac.doFinal();
    }
    digest.update(line, 0, content);
    digest.update((byte) '}');
    return digest.digest();
  }

  /** True when the line ends with {@code ,"hash":"<64 lower-case hex>"}}. */
  static boolean hasHashMember(byte[] line, int length) {
    int at = length - HASH_MEMBER_LENGTH;
    if (at < 1 || !regionEquals(line, at, HASH_PREFIX) || line[length - 2] != '"' || line[length - 1] != '}') {
      return false;
    }
    for (int i = at + HASH_PREFIX.length; i < length - 2; i++) {
      byte b = line[i];
      if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** The stored hash of a line that {@link #hasHashMember has one}. */
  static String storedHash(byte[] line, int length) {
    return new String(line, length - 66, 64, StandardCharsets.US_ASCII);
  }

  static byte[] hex(byte[] hash) {
    return HexFormat.of().formatHex(hash).getBytes(StandardCharsets.US_ASCII);
  }

  private static boolean regionEquals(byte[] data, int at, byte[] expected) {
    return Arrays.equals(data, at, at + expected.length, expected, 0, expected.length);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

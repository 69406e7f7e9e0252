package dev.gatehouse.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The chain format as the README describes it, implemented from that text alone (as a third party would), to check
 * the writer against the documentation and to play an attacker who recomputes hashes.
 */
final class ChainFormat {

  private static final Pattern HASH_MEMBER = Pattern.compile(",\"hash\":\"([0-9a-f]{64})\"}$");

  private ChainFormat() {}

  /** The stored hash of a line (without its newline). */
  static String storedHash(String line) {
    Matcher m = HASH_MEMBER.matcher(line);
    if (!m.find()) {
      throw new AssertionError("no hash member at the end of " + line);
    }
    return m.group(1);
  }

  /** SHA-256 (or HMAC-SHA256 with {@code key}) of the line without its {@code ,"hash":"..."} member. */
  static String hashOf(String line, byte[] key) throws Exception {
    byte[] content = HASH_MEMBER.matcher(line).replaceFirst("}").getBytes(StandardCharsets.UTF_8);
    if (key == null) {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(content));
  }

  /** The line with its hash recomputed (SHA-256), as an attacker without a key can. */
  static String rehashed(String line) throws Exception {
    return HASH_MEMBER.matcher(line).replaceFirst(",\"hash\":\"" + hashOf(line, null) + "\"}");
  }

  /** The line with its {@code prev} replaced. */
  static String withPrev(String line, String prev) {
    return line.replaceFirst(",\"prev\":\"[0-9a-f]{64}\"", ",\"prev\":\"" + prev + "\"");
  }
}

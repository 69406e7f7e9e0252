package dev.gatehouse.request;

import dev.gatehouse.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a raw request path into one canonical form, or refuses it. Canonical means: percent-decoded once, UTF-8,
 * no {@code .} or {@code ..} segments, no empty segments. The path the policy judges is the decoded form and the
 * upstream receives the same path re-encoded, so the two can never disagree.
 *
 * <p>What cannot be judged safely is refused rather than repaired: an encoded {@code /} or {@code \} (upstreams
 * disagree about whether they separate segments), a raw {@code \}, NUL and other control characters, {@code ;}
 * path parameters (Tomcat-style servers strip them, turning {@code /admin;x/} into {@code /admin/}), an encoded
 * {@code %} (double encoding), invalid UTF-8, raw non-ASCII bytes, and {@code ..} above the root.
 */
public final class PathNormalizer {

  /** Characters that may appear unencoded in a path segment we send (RFC 3986 pchar minus ';'). */
  private static final boolean[] SAFE = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      SAFE[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      SAFE[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      SAFE[c] = true;
    }
    for (char c : "-._~!$&'()*+,=:@".toCharArray()) {
      SAFE[c] = true;
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PathNormalizer() {}

  /** Result of normalizing a path: the decoded canonical path and its canonical encoding. */
  public record CanonicalPath(String decoded, String encoded) {}

  /**
   * Normalizes {@code rawPath} (the part of the request target before '?').
   *
   * @throws Reason.Rejection with {@link Reason#PATH_REJECTED} and a short reason when the path is refused
   */
  public static CanonicalPath normalize(String rawPath) {
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw Reason.PATH_REJECTED.reject("the path must start with '/'");
    }
    if (isAlreadyCanonical(rawPath)) {
      return new CanonicalPath(rawPath, rawPath);
    }
    String decoded = decode(rawPath);
    List<String> segments = resolveSegments(decoded);
    boolean trailingSlash = endsWithDirectory(decoded) && !segments.isEmpty();
    return new CanonicalPath(join(segments, trailingSlash, false), join(segments, trailingSlash, true));
  }

  /** Fast path: only safe characters, no '%', no '//', no dot segments. Then raw, decoded and encoded coincide. */
  private static boolean isAlreadyCanonical(String path) {
    int len = path.length();
    char previous = 0;
    for (int i = 0; i < len; i++) {
      char c = path.charAt(i);
      if (c == '/') {
        if (previous == '/') {
          return false;
        }
      } else if (c >= 128 || !SAFE[c]) {
        return false;
      } else if (c == '.' && previous == '/') {
        int end = i + 1;
        if (end < len && path.charAt(end) == '.') {
          end++;
        }
        if (end == len || path.charAt(end) == '/') {
          return false;
        }
      }
      previous = c;
    }
    return true;
  }

  private static String decode(String raw) {
    byte[] bytes = new byte[raw.length()];
    int n = 0;
    int len = raw.length();
    for (int i = 0; i < len; i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= len) {
          throw Reason.PATH_REJECTED.reject("incomplete percent-escape in path");
        }
        int hi = hexDigit(raw.charAt(i + 1));
        int lo = hexDigit(raw.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw Reason.PATH_REJECTED.reject("invalid percent-escape in path");
        }
        int b = (hi << 4) | lo;
        refuseDecoded(b);
        bytes[n++] = (byte) b;
        i += 2;
      } else {
        refuseRaw(c);
        bytes[n++] = (byte) c;
      }
    }
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw Reason.PATH_REJECTED.reject("the path is not valid UTF-8");
    }
  }

  /** RFC 3986 HEXDIG is ASCII only; Character.digit alone would also accept e.g. full-width and Arabic-Indic digits. */
  private static int hexDigit(char c) {
    return c < 128 ? Character.digit(c, 16) : -1;
  }

  private static void refuseRaw(char c) {
    if (c == '\\') {
      throw Reason.PATH_REJECTED.reject("backslash in path");
    }
    if (c == ';') {
      throw Reason.PATH_REJECTED.reject("';' path parameters are not accepted");
    }
    if (c == '#') {
      throw Reason.PATH_REJECTED.reject("fragment in request target");
    }
    if (c <= 0x20 || c >= 0x7f) {
      throw Reason.PATH_REJECTED.reject("control, space or non-ASCII character in path (percent-encode it)");
    }
  }

  private static void refuseDecoded(int b) {
    switch (b) {
      case '/' -> throw Reason.PATH_REJECTED.reject("encoded '/' (%2F) in path");
      case '\\' -> throw Reason.PATH_REJECTED.reject("encoded backslash (%5C) in path");
      case '%' -> throw Reason.PATH_REJECTED.reject("encoded '%' (%25) in path: double encoding is not accepted");
      case ';' -> throw Reason.PATH_REJECTED.reject("encoded ';' (%3B) in path");
      default -> {
        if (b < 0x20 || b == 0x7f) {
          throw Reason.PATH_REJECTED.reject(b == 0 ? "NUL (%00) in path" : "encoded control character in path");
        }
      }
    }
  }

  /** Applies RFC 3986 dot-segment removal and drops empty segments; refuses '..' above the root. */
  private static List<String> resolveSegments(String decoded) {
    List<String> out = new ArrayList<>();
    int start = 1;
    int len = decoded.length();
    while (start <= len) {
      int slash = decoded.indexOf('/', start);
      int end = slash < 0 ? len : slash;
      String segment = decoded.substring(start, end);
      if (segment.equals("..")) {
        if (out.isEmpty()) {
          throw Reason.PATH_REJECTED.reject("'..' climbs above the root");
        }
        out.remove(out.size() - 1);
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        out.add(segment);
      }
      start = end + 1;
    }
    return out;
  }

  private static boolean endsWithDirectory(String decoded) {
    return decoded.endsWith("/") || decoded.endsWith("/.") || decoded.endsWith("/..");
  }

  private static String join(List<String> segments, boolean trailingSlash, boolean encode) {
    if (segments.isEmpty()) {
      return "/";
    }
    StringBuilder sb = new StringBuilder();
    for (String segment : segments) {
      sb.append('/');
      if (encode) {
        appendEncoded(sb, segment);
      } else {
        sb.append(segment);
      }
    }
    if (trailingSlash) {
      sb.append('/');
    }
    return sb.toString();
  }

  private static void appendEncoded(StringBuilder sb, String segment) {
    int i = 0;
    while (i < segment.length()) {
      int codePoint = segment.codePointAt(i);
      int width = Character.charCount(codePoint);
      if (codePoint < 128 && SAFE[codePoint]) {
        sb.append((char) codePoint);
      } else {
        for (byte b : segment.substring(i, i + width).getBytes(StandardCharsets.UTF_8)) {
          appendEscape(sb, b & 0xff);
        }
      }
      i += width;
    }
  }

  private static void appendEscape(StringBuilder sb, int b) {
    sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
  }
}

package dev.gatehouse.proxy;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request identifiers: 128 random bits as 32 lower-case hex digits, the format of a W3C trace id, so that one value
 * can serve as both. Not secrets, so a fast non-cryptographic generator is enough.
 */
public final class RequestIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  public static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[32];
    fill(out, 0, r.nextLong());
    fill(out, 16, r.nextLong() | 1L);
    return new String(out);
  }

  /** 64 random bits as 16 hex digits (a W3C span id); never all zeros. */
  static String nextSpan() {
    char[] out = new char[16];
    fill(out, 0, ThreadLocalRandom.current().nextLong() | 1L);
    return new String(out);
  }

  private static void fill(char[] out, int offset, long value) {
    for (int i = 15; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }
}

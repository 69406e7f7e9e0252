package dev.gatehouse.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * Follows the frame boundaries of a WebSocket byte stream (RFC 6455 section 5.2) without decoding payloads, so that the
 * gateway can end a tunnelled connection with its own close frame without cutting a frame in half.
 */
final class WebSocketFrames {

  private final byte[] header = new byte[14];
  private int headerHave;
  private int headerNeeded = 2;
  private long payloadLeft;

  /** True between frames. */
  boolean atBoundary() {
    return headerHave == 0 && payloadLeft == 0;
  }

  /** Follows all of {@code buffer}. */
  void advance(Buffer buffer) {
    advance(buffer, false);
  }

  /**
   * Follows {@code buffer} until the end of the current frame.
   *
   * @return how many bytes of {@code buffer} belong to frames up to and including the one in progress; the rest
   *     belongs to the next frame
   */
  int advanceToFrameEnd(Buffer buffer) {
    return advance(buffer, true);
  }

  private int advance(Buffer buffer, boolean stopAtFrameEnd) {
    int i = 0;
    int n = buffer.length();
    while (i < n) {
      if (payloadLeft > 0) {
        int take = (int) Math.min(payloadLeft, n - i);
        payloadLeft -= take;
        i += take;
        if (payloadLeft == 0 && stopAtFrameEnd) {
          return i;
        }
        continue;
      }
      header[headerHave++] = buffer.getByte(i++);
      if (headerHave == 2) {
        int length7 = header[1] & 0x7f;
        boolean masked = (header[1] & 0x80) != 0;
        headerNeeded = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      }
      if (headerHave >= 2 && headerHave == headerNeeded) {
        payloadLeft = payloadLength();
        headerHave = 0;
        headerNeeded = 2;
        if (payloadLeft == 0 && stopAtFrameEnd) {
          return i;
        }
      }
    }
    return i;
  }

  private long payloadLength() {
    int length7 = header[1] & 0x7f;
    if (length7 < 126) {
      return length7;
    }
    int bytes = length7 == 126 ? 2 : 8;
    long length = 0;
    for (int k = 0; k < bytes; k++) {
      length = (length << 8) | (header[2 + k] & 0xff);
    }
    return length;
  }

  /** A server-to-client close frame (unmasked) with a status code and a short reason. */
  static Buffer closeFrame(int code, String reason) {
    byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int length = Math.min(text.length, 123);
    Buffer frame = Buffer.buffer(4 + length);
    frame.appendByte((byte) 0x88).appendByte((byte) (2 + length)).appendShort((short) code).appendBytes(text, 0, length);
    return frame;
  }
}

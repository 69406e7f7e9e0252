package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class WebSocketFramesTest {

  static Buffer frame(int payloadLength, boolean masked) {
    Buffer b = Buffer.buffer().appendByte((byte) 0x82);
    int maskBit = masked ? 0x80 : 0;
    if (payloadLength < 126) {
      b.appendByte((byte) (maskBit | payloadLength));
    } else if (payloadLength <= 0xffff) {
      b.appendByte((byte) (maskBit | 126)).appendShort((short) payloadLength);
    } else {
      b.appendByte((byte) (maskBit | 127)).appendLong(payloadLength);
    }
    if (masked) {
      b.appendInt(0x01020304);
    }
    return b.appendBytes(new byte[payloadLength]);
  }

  @Test
  void isAtABoundaryOnlyBetweenFrames() {
    WebSocketFrames frames = new WebSocketFrames();
    Buffer f = frame(10, false);

    frames.advance(f.slice(0, 5));
    assertThat(frames.atBoundary()).isFalse();
    frames.advance(f.slice(5, f.length()));
    assertThat(frames.atBoundary()).isTrue();
  }

  @Test
  void followsExtendedLengthsAndMasksSplitAnywhere() {
    for (int length : new int[] {0, 125, 126, 70_000}) {
      for (boolean masked : new boolean[] {false, true}) {
        Buffer f = frame(length, masked);
        for (int split = 1; split < Math.min(f.length(), 20); split++) {
          WebSocketFrames frames = new WebSocketFrames();
          frames.advance(f.slice(0, split));
          assertThat(frames.atBoundary()).as("length %d masked %s split %d", length, masked, split)
              .isEqualTo(split == f.length());
          frames.advance(f.slice(split, f.length()));
          assertThat(frames.atBoundary()).isTrue();
        }
      }
    }
  }

  @Test
  void stopsAtTheEndOfTheFrameInProgress() {
    WebSocketFrames frames = new WebSocketFrames();
    Buffer first = frame(300, false);
    Buffer both = Buffer.buffer().appendBuffer(first).appendBuffer(frame(5, false));
    frames.advance(both.slice(0, 100));

    int consumed = frames.advanceToFrameEnd(both.slice(100, both.length()));

    assertThat(consumed).isEqualTo(first.length() - 100);
    assertThat(frames.atBoundary()).isTrue();
  }

  @Test
  void buildsACloseFrameWithCodeAndReason() {
    Buffer close = WebSocketFrames.closeFrame(1008, "access revoked");

    assertThat(close.getByte(0)).isEqualTo((byte) 0x88);
    assertThat(close.getByte(1)).isEqualTo((byte) (2 + "access revoked".length()));
    assertThat(close.getShort(2)).isEqualTo((short) 1008);
    assertThat(close.getString(4, close.length())).isEqualTo("access revoked");
  }
}

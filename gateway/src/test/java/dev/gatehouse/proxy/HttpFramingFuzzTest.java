package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Whatever bytes a client sends, and however TCP cuts them up: the strict decoder only ever fails with its own framing
 * refusal, every request it lets through has unambiguous framing (no Content-Length beside Transfer-Encoding, only
 * one plain {@code chunked}, none in HTTP/1.0, version 1.0 or 1.1), and it decides the same way whether the bytes
 * arrive at once or in pieces (its look at header lines spans reads).
 */
class HttpFramingFuzzTest {

  /** What the decoder made of a byte stream: one line per request head, its body size, and how it ended. */
  private static List<String> decode(byte[] bytes, int piece) {
    EmbeddedChannel channel = new EmbeddedChannel(new StrictHttpDecoder(new HttpServerOptions()));
    List<String> outcome = new ArrayList<>();
    long body = 0;
    try {
      for (int at = 0; at < bytes.length; at += piece) {
        int n = Math.min(piece, bytes.length - at);
        RequestFraming.FramingException refused = null;
        try {
          channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, n));
        } catch (RequestFraming.FramingException e) {
          refused = e; // what was decoded before the broken chunk still counts
        }
        Object m;
        while ((m = channel.readInbound()) != null) {
          try {
            if (m instanceof HttpRequest request) {
              if (!outcome.isEmpty()) {
                outcome.add("body " + body);
              }
              body = 0;
              outcome.add(describe(request));
              if (request.decoderResult().isSuccess()) {
                assertUnambiguous(request);
              }
            } else if (m instanceof HttpContent content) {
              assertThat(content.decoderResult().isSuccess()).as("a failed content reaches Vert.x").isTrue();
              body += content.content().readableBytes();
            }
          } finally {
            ReferenceCountUtil.release(m);
          }
        }
        if (refused != null) {
          outcome.add("refused: " + refused.getMessage().replaceAll(":.*", ""));
          break;
        }
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    return outcome;
  }

  private static String describe(HttpRequest request) {
    String result = request.decoderResult().isSuccess() ? "ok"
        : request.decoderResult().cause() instanceof RequestFraming.FramingException f ? "refused: " + f.getMessage()
        : "malformed";
    return request.method() + " " + request.uri() + " " + request.protocolVersion() + " " + result;
  }

  private static void assertUnambiguous(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    assertThat(version == HttpVersion.HTTP_1_0 || version == HttpVersion.HTTP_1_1).as("version").isTrue();
    List<String> encodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!encodings.isEmpty()) {
      assertThat(encodings).containsExactly("chunked");
      assertThat(request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).as("Content-Length too").isFalse();
      assertThat(version).isSameAs(HttpVersion.HTTP_1_1);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void framingIsUnambiguousAndDoesNotDependOnHowBytesArrive(FuzzedDataProvider data) {
    int piece = data.consumeInt(1, 16);
    byte[] bytes = data.consumeRemainingAsBytes();

    List<String> whole = decode(bytes, Math.max(1, bytes.length));
    List<String> pieces = decode(bytes, piece);

    assertThat(pieces).isEqualTo(whole);
  }
}

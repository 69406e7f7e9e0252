package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The strict decoder on its own (Netty's embedded channel, byte-exact input) and, in one test, inside a real Vert.x
 * server: that test is the alarm for a Vert.x upgrade that changes the internals {@link StrictHttpDecoder} relies on.
 */
class StrictHttpDecoderTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new StrictHttpDecoder(new HttpServerOptions()));

  private List<Object> feed(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    return drain();
  }

  private List<Object> feedBytewise(String text) {
    List<Object> out = new ArrayList<>();
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
      out.addAll(drain());
    }
    return out;
  }

  private List<Object> drain() {
    List<Object> out = new ArrayList<>();
    Object m;
    while ((m = channel.readInbound()) != null) {
      out.add(m);
    }
    return out;
  }

  private static List<HttpRequest> requests(List<Object> messages) {
    List<HttpRequest> out = new ArrayList<>();
    for (Object m : messages) {
      if (m instanceof HttpRequest r) {
        out.add(r);
      }
    }
    messages.forEach(ReferenceCountUtil::release);
    return out;
  }

  private static String failure(HttpRequest request) {
    return request.decoderResult().isSuccess() ? null : request.decoderResult().cause().getMessage();
  }

  @Test
  void contentLengthWithChunkedIsRefusedAndNothingAfterItIsDecoded() {
    List<HttpRequest> decoded = requests(feed("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"));

    assertThat(decoded).hasSize(1);
    assertThat(failure(decoded.get(0))).isEqualTo("both Content-Length and Transfer-Encoding");
  }

  @Test
  void foldedHeaderLinesAreNoticedEvenWhenTheyArriveOneByteAtATime() {
    List<HttpRequest> decoded = requests(feedBytewise("GET /a HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\t2\r\n\r\n"));

    assertThat(decoded).hasSize(1);
    assertThat(failure(decoded.get(0))).startsWith("obsolete line folding");
  }

  @Test
  void bodiesAreNotMistakenForHeadersAndPipelinedRequestsStillDecode() {
    String body = "a\r\n b\n\tc";
    List<HttpRequest> decoded = requests(feedBytewise("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body + "\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nPOST /c HTTP/1.1\r\nHost: h\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n3\r\n\n x\r\n0\r\n\r\nGET /d HTTP/1.1\r\nHost: h\r\n\r\n"));

    assertThat(decoded).extracting(HttpRequest::uri).containsExactly("/a", "/b", "/c", "/d");
    assertThat(decoded).allSatisfy(r -> assertThat(failure(r)).isNull());
  }

  @Test
  void chunkedInAnyLetterCaseIsWrittenOneWay() {
    List<HttpRequest> decoded = requests(feed("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\tChunKed \r\n\r\n"
        + "0\r\n\r\n"));

    assertThat(failure(decoded.get(0))).isNull();
    assertThat(decoded.get(0).headers().getAll("Transfer-Encoding")).containsExactly("chunked");
  }

  @Test
  void transferEncodingsOtherThanOneChunkedAreRefused() {
    for (String te : List.of("gzip, chunked", "chunked, gzip", "identity", "xchunked", "chunked\r\nTransfer-Encoding: chunked")) {
      EmbeddedChannel fresh = new EmbeddedChannel(new StrictHttpDecoder(new HttpServerOptions()));
      fresh.writeInbound(Unpooled.copiedBuffer("POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + te
          + "\r\n\r\n0\r\n\r\n", StandardCharsets.ISO_8859_1));
      HttpRequest r = fresh.readInbound();
      assertThat(failure(r)).as(te).isEqualTo("Transfer-Encoding other than chunked");
      fresh.finishAndReleaseAll();
    }
  }

  @Test
  void unknownVersionsAreRefusedUnderAVersionVertxCanAnswer() {
    HttpRequest r = requests(feed("GET /a HTTP/1.7\r\nHost: h\r\n\r\n")).get(0);

    assertThat(failure(r)).isEqualTo("unsupported HTTP version");
    assertThat(r.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
  }

  @Test
  void aBrokenChunkBecomesAnExceptionAfterTheCurrentReadRatherThanAFailedContent() {
    // the embedded channel runs the deferred task at the end of the write, and rethrows what it fired
    assertThatThrownBy(() -> channel.writeInbound(Unpooled.copiedBuffer("POST /a HTTP/1.1\r\nHost: h\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\nzz\r\n", StandardCharsets.ISO_8859_1)))
        .isInstanceOf(RequestFraming.FramingException.class)
        .hasMessageStartingWith("invalid chunked body");

    List<Object> messages = drain();
    assertThat(messages).hasSize(2); // the head and the good chunk
    assertThat(messages).noneMatch(m -> m instanceof HttpContent c && c.decoderResult().isFailure());
    messages.forEach(ReferenceCountUtil::release);
  }

  @Test
  void knowsWhetherPartOfARequestHeadHasArrived() {
    StrictHttpDecoder decoder = (StrictHttpDecoder) channel.pipeline().first();
    assertThat(decoder.partialHead()).isFalse();

    feed("\r\n");
    assertThat(decoder.partialHead()).as("blank lines before a request").isFalse();
    feed("GET /a HT");
    assertThat(decoder.partialHead()).isTrue();
    feed("TP/1.1\r\nHost: h\r\n");
    assertThat(decoder.partialHead()).isTrue();
    List<Object> done = feed("\r\n");
    assertThat(done).anyMatch(m -> m instanceof LastHttpContent);
    done.forEach(ReferenceCountUtil::release);
    assertThat(decoder.partialHead()).isFalse();
  }

  /**
   * The contract with Vert.x internals: the connection handler runs with the HTTP/1.x pipeline in place and before any
   * request is decoded, the strict decoder replaces Vert.x's, and a request it refuses reaches the invalid-request
   * handler. If this fails after a Vert.x upgrade, {@link StrictHttpDecoder} must be adapted.
   */
  @Test
  void installsItselfInARealVertxServerAndRefusalsReachTheInvalidRequestHandler() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      // as in production, where TLS with ALPN picks HTTP/1.1 or h2: no cleartext upgrade handler in the pipeline
      HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0)
          .setHttp2ClearTextEnabled(false);
      CompletableFuture<Throwable> refused = new CompletableFuture<>();
      CompletableFuture<List<Class<?>>> installed = new CompletableFuture<>();
      AtomicInteger served = new AtomicInteger();
      ConnectionGuard guard = new ConnectionGuard(new AtomicInteger(), 100, options, Duration.ofSeconds(30), null);
      HttpServer server = vertx.createHttpServer(options)
          .connectionHandler(connection -> {
            guard.handle(connection);
            var pipeline = StrictHttpDecoder.channel(connection).pipeline();
            installed.complete(List.of(pipeline.get(StrictHttpDecoder.DECODER).getClass(),
                pipeline.get(StrictHttpDecoder.DEADLINE).getClass()));
          })
          .requestHandler(request -> {
            served.incrementAndGet();
            request.response().end();
          })
          .invalidRequestHandler(request -> {
            refused.complete(request.decoderResult().cause());
            request.response().setStatusCode(400).end();
          });
      server.listen().await(10, TimeUnit.SECONDS);
      try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
        OutputStream out = socket.getOutputStream();
        // the attack is the very first bytes on the connection
        out.write(("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            + "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        assertThat(new String(in.readNBytes(12), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 400");
      }
      assertThat(installed.get(10, TimeUnit.SECONDS)).containsExactly(StrictHttpDecoder.class, HeaderDeadline.class);
      assertThat(refused.get(10, TimeUnit.SECONDS)).isInstanceOf(RequestFraming.FramingException.class);
      assertThat(served.get()).isZero();
      server.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}

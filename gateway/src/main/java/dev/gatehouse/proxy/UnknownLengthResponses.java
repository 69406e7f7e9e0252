package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyResponse;

/**
 * An HTTP/1.0 client cannot take a chunked response, so for it the proxy library buffers a response of unknown length
 * whole before sending it, without any bound: a memory exhaustion any client could trigger with {@code HTTP/1.0} and a
 * large streamed download. The buffer is capped here at {@value #MAX_BUFFERED} bytes; past that the response is
 * abandoned and the client's connection closed ({@code upstream-failed} in the access event). Responses with a length,
 * and every HTTP/1.1 and HTTP/2 response, stream as before.
 */
final class UnknownLengthResponses {

  static final long MAX_BUFFERED = 16L << 20;

  private UnknownLengthResponses() {}

  static void capForHttp10(Exchange ex, ProxyResponse response) {
    Body body = response.getBody();
    if (ex.request.version() != HttpVersion.HTTP_1_0 || body == null || body.length() >= 0) {
      return;
    }
    response.setBody(Body.body(new Capped(ex, body.stream()), -1, body.mediaType()));
  }

  private static final class Capped implements ReadStream<Buffer> {
    private final Exchange ex;
    private final ReadStream<Buffer> source;
    private long seen;
    private Handler<Throwable> exceptionHandler;

    Capped(Exchange ex, ReadStream<Buffer> source) {
      this.ex = ex;
      this.source = source;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      source.handler(handler == null ? null : chunk -> {
        seen += chunk.length();
        if (seen > MAX_BUFFERED) {
          // paused rather than drained: the upstream's response then times out instead of streaming into nothing
          source.pause();
          ex.outcome(Reason.UPSTREAM_FAILED, "the response has no length and is too large to buffer for an HTTP/1.0 "
              + "client");
          ex.request.connection().close();
          if (exceptionHandler != null) {
            exceptionHandler.handle(new IllegalStateException("response too large to buffer"));
          }
          return;
        }
        handler.handle(chunk);
      });
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      this.exceptionHandler = handler;
      source.exceptionHandler(handler);
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      source.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      source.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      source.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      source.endHandler(endHandler);
      return this;
    }
  }
}

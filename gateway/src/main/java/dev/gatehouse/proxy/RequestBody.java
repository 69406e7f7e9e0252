package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.streams.ReadStream;

/**
 * The client's request body on its way to the upstream, held to two rules: it is counted while it streams and refused
 * once it passes the route's limit ({@code 413}), and a framing error inside it (an invalid chunk) ends the exchange
 * with {@code 400}. Either way the upstream request is reset, never ended, so an upstream can never take a truncated
 * body for a complete one; the client's connection is closed (HTTP/1.x). When the response has already begun, the
 * client's stream is reset instead of answered.
 *
 * <p>Watches the request from the start of the exchange (a framing error can arrive while the request is still being
 * authenticated); the proxy pipes from this stream instead of the request. Confined to the request's event loop.
 */
final class RequestBody implements ReadStream<Buffer> {

  /** The body was refused; the upstream request fails with this. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final Exchange ex;
  private final HttpServerRequest request;
  private final ErrorResponses errors;
  private long limit = Long.MAX_VALUE;
  private long received;
  private Handler<Buffer> handler;
  private Handler<Throwable> exceptionHandler;
  private boolean refused;
  private boolean clientFailed;

  private RequestBody(Exchange ex, ErrorResponses errors) {
    this.ex = ex;
    this.request = ex.request;
    this.errors = errors;
  }

  /** Starts watching the request of {@code ex} for framing errors. */
  static RequestBody watch(Exchange ex, ErrorResponses errors) {
    RequestBody body = new RequestBody(ex, errors);
    ex.request.exceptionHandler(body::clientFailed);
    return body;
  }

  /** From now on, refuse the body once it passes {@code maxBytes}. */
  RequestBody limit(long maxBytes) {
    this.limit = maxBytes;
    return this;
  }

  /** True once the body was refused (too large, or broken framing): the exchange has its answer. */
  boolean refused() {
    return refused;
  }

  /**
   * True when {@code failure} (of the upstream request) comes from this guard refusing the body (too large, or a
   * framing error), which the proxy can report to the upstream request before this stream's own handler runs.
   */
  static boolean causedByRefusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RequestFraming.FramingException || t instanceof Refused) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when {@code failure} (of the upstream request) is the reset the proxy makes when the client's stream closes:
   * a {@link StreamResetException} the gateway raised itself, with the client's close as its cause. An upstream's own
   * reset carries no cause, and its other failures are not resets.
   */
  static boolean causedByClientGone(Throwable failure) {
    return failure instanceof StreamResetException && failure.getCause() != null && !causedByRefusal(failure);
  }

  /** True once the client's side of the request failed (its connection closed or broke). */
  boolean clientFailed() {
    return clientFailed;
  }

  @Override
  public RequestBody handler(Handler<Buffer> handler) {
    this.handler = handler;
    request.handler(handler == null ? null : this::data);
    return this;
  }

  @Override
  public RequestBody exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public RequestBody endHandler(Handler<Void> endHandler) {
    request.endHandler(endHandler);
    return this;
  }

  @Override
  public RequestBody pause() {
    request.pause();
    return this;
  }

  @Override
  public RequestBody resume() {
    // an HTTP/2 request refuses to be resumed once it has ended (the proxy resumes the body when it gives up)
    if (!request.isEnded()) {
      request.resume();
    }
    return this;
  }

  @Override
  public RequestBody fetch(long amount) {
    if (!request.isEnded()) {
      request.fetch(amount);
    }
    return this;
  }

  private void data(Buffer chunk) {
    if (refused) {
      return;
    }
    received += chunk.length();
    if (received > limit) {
      // answered 413 (the connection is then closed, see ErrorResponses), or reset if the response had begun
      refuse(Reason.BODY_TOO_LARGE, "the request body is larger than " + limit + " bytes");
      return;
    }
    handler.handle(chunk);
  }

  private void clientFailed(Throwable failure) {
    clientFailed = true;
    if (failure instanceof RequestFraming.FramingException framing && !refused) {
      // Vert.x closes the connection once this returns; the answer is flushed before that (see StrictHttpDecoder)
      refuse(Reason.BAD_REQUEST, framing.getMessage());
      return;
    }
    if (exceptionHandler != null) {
      exceptionHandler.handle(failure);
    }
  }

  private void refuse(Reason reason, String detail) {
    refused = true;
    errors.send(ex, reason, detail);
    if (exceptionHandler != null) {
      // the pipe to the upstream fails, and the proxy resets the upstream request rather than ending it
      exceptionHandler.handle(new Refused(detail));
    }
  }
}

package dev.gatehouse.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.List;

/**
 * The one place that uses Vert.x internals ({@code io.vertx.core.http.impl}, {@code io.vertx.core.net.impl}): Vert.x
 * offers no public hook into its HTTP/1.x decoder, and Netty's decoder repairs instead of refusing some framing a
 * smuggling attack relies on (it folds obsolete line folding, takes "gzip, chunked" as chunked, and before 4.2.13 it
 * dropped Content-Length when Transfer-Encoding: chunked was present too). So every HTTP/1.x connection gets this
 * subclass of Vert.x's own decoder in place of the original ("httpDecoder" in the channel pipeline), which marks such a
 * request as a decoder failure; Vert.x then hands it to the server's invalid-request handler, which answers 400 and
 * closes the connection.
 *
 * <p>If a Vert.x upgrade renames or restructures any of this, {@link #install} fails and the connection is closed
 * (nothing is served with the lenient decoder); {@code StrictHttpDecoderTest} and {@code FramingIT} fail loudly. What
 * this class relies on, as of Vert.x 5.0: the HTTP/1.x server pipeline has a {@link VertxHttpRequestDecoder} named
 * {@value #DECODER} and a {@code VertxHandler} named {@value #HANDLER} when the server's connection handler runs,
 * synchronously on the event loop before any request is decoded; connections are {@link ConnectionBase}s; a request
 * whose {@link DecoderResult} failed goes to the invalid-request handler; and an exception fired down the pipeline
 * reaches the request in progress and then closes the connection.
 */
final class StrictHttpDecoder extends VertxHttpRequestDecoder {

  static final String DECODER = "httpDecoder";
  static final String HANDLER = "handler";
  static final String DEADLINE = "gatehouseHeaderDeadline";

  private final RequestFraming.HeadScanner scanner = new RequestFraming.HeadScanner();
  private boolean contentLengthRemoved;
  private boolean failed;

  StrictHttpDecoder(HttpServerOptions options) {
    super(options);
  }

  /**
   * Puts the strict decoder and the header deadline into an HTTP/1.x connection's pipeline. Returns false, having
   * done nothing, for an HTTP/2 connection; throws {@link IllegalStateException} when the pipeline is not as
   * expected (the caller must then close the connection).
   */
  static boolean install(HttpConnection connection, HttpServerOptions options, Duration headerTimeout) {
    ChannelPipeline pipeline = channel(connection).pipeline();
    ChannelHandler original = pipeline.get(DECODER);
    if (original == null) {
      if (pipeline.get(io.netty.handler.codec.http2.Http2ConnectionHandler.class) != null) {
        return false;
      }
      throw new IllegalStateException("no '" + DECODER + "' in the HTTP/1.x pipeline " + pipeline.names());
    }
    if (original.getClass() != VertxHttpRequestDecoder.class || pipeline.get(HANDLER) == null) {
      throw new IllegalStateException("unexpected HTTP/1.x pipeline " + pipeline.names() + " with "
          + original.getClass().getName());
    }
    StrictHttpDecoder decoder = new StrictHttpDecoder(options);
    pipeline.replace(DECODER, DECODER, decoder);
    pipeline.addBefore(HANDLER, DEADLINE, new HeaderDeadline(decoder, headerTimeout));
    return true;
  }

  /** The Netty channel of a server connection. */
  static Channel channel(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      throw new IllegalStateException("unexpected connection type " + connection.getClass().getName());
    }
    return base.channel();
  }

  /** True while part of a request head has arrived and the rest has not. */
  boolean partialHead() {
    return scanner.partialHead();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (failed) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    scanner.scan(buffer);
    int before = buffer.readerIndex();
    int first = out.size();
    super.decode(ctx, buffer, out);
    scanner.consumed(buffer.readerIndex() - before);
    for (int i = first; i < out.size(); i++) {
      Object message = out.get(i);
      if (message instanceof HttpRequest request) {
        // Netty's own invalid request is a full request (a head and an empty last content in one): a head failure
        inspect(request);
      } else if (message instanceof HttpContent content && content.decoderResult().isFailure()) {
        out.remove(i);
        bodyFramingFailed(ctx, content);
        return;
      }
      if (message instanceof LastHttpContent) {
        scanner.messageEnded();
      }
    }
  }

  private void inspect(HttpRequest request) {
    // Netty 4.2.13 and later refuse some of this framing themselves; the client still gets the gateway's own wording
    if (!(request.decoderResult().cause() instanceof TooLongFrameException)) {
      String problem = RequestFraming.problem(request, contentLengthRemoved, scanner.folded());
      if (problem != null) {
        request.setDecoderResult(DecoderResult.failure(new RequestFraming.FramingException(problem)));
        if (!RequestFraming.isSupported(request.protocolVersion())) {
          // Vert.x knows only these two; its answer (and the access event) need a version it can name
          request.setProtocolVersion(io.netty.handler.codec.http.HttpVersion.HTTP_1_1);
        }
      }
    }
    contentLengthRemoved = false;
    scanner.headDecoded();
    if (request.decoderResult().isFailure()) {
      // nothing after a refused head can be trusted to be a request; the connection is closed after the answer
      failed = true;
    }
  }

  /**
   * A broken chunked body (an invalid chunk size, say). The request's head has gone to Vert.x already, so the failure
   * reaches it as an exception; that is fired from a later task rather than now, because Vert.x closes the connection
   * right after delivering it and only flushes what is written outside of a read — that way the 400 the gateway answers
   * with reaches the client before the connection closes.
   */
  private void bodyFramingFailed(ChannelHandlerContext ctx, HttpContent content) {
    Throwable cause = content.decoderResult().cause();
    ReferenceCountUtil.release(content);
    failed = true;
    String detail = "invalid chunked body" + (cause == null || cause.getMessage() == null ? ""
        : ": " + cause.getMessage().replaceAll("[^\\x20-\\x7e]", "?"));
    RequestFraming.FramingException failure = new RequestFraming.FramingException(
        detail.length() > 200 ? detail.substring(0, 200) : detail);
    ctx.executor().execute(() -> ctx.fireExceptionCaught(failure));
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Netty before 4.2.13 removes the Content-Length and goes on; remember it, so the request is refused instead
    contentLengthRemoved = true;
    super.handleTransferEncodingChunkedWithContentLength(message);
  }
}

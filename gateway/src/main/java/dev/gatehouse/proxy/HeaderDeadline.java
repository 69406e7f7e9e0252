package dev.gatehouse.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The slowloris guard of one HTTP/1.x connection: from the connection's start, and from the end of each response, the
 * client has {@code limits.headerTimeout} to deliver a complete request head. The idle timeout alone cannot do this,
 * since a client that sends one byte every few seconds is never idle. When the deadline passes with part of a head
 * received, the request is handed to Vert.x as a failed one, so the gateway answers {@code 408 request-timeout} with an
 * access event and closes the connection; with nothing received (an idle keep-alive connection) it is just closed.
 *
 * <p>Sits between the decoder and Vert.x: it sees each decoded request head arrive and each response's last part
 * leave. One timer per connection at most, rescheduled lazily, so a keep-alive connection costs no timer churn.
 * Removes itself once a WebSocket upgrade (101) is answered. Confined to the connection's event loop.
 */
final class HeaderDeadline extends ChannelDuplexHandler {

  private final StrictHttpDecoder decoder;
  private final long timeoutNanos;
  private long deadline;
  private boolean armed;
  private ScheduledFuture<?> timer;
  private int requests;
  private int responses;
  private boolean informational;
  private boolean expired;

  HeaderDeadline(StrictHttpDecoder decoder, Duration timeout) {
    this.decoder = decoder;
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    armed = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (expired) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      requests++;
      armed = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      informational = response.status().code() < 200;
      if (response.status().code() == 101) {
        // a WebSocket now: frames, not requests, from here on
        ctx.pipeline().remove(this);
        ctx.write(msg, promise);
        return;
      }
    }
    if (msg instanceof LastHttpContent && !informational) {
      responses++;
      if (responses >= requests) {
        arm(ctx);
      }
    }
    ctx.write(msg, promise);
  }

  private void arm(ChannelHandlerContext ctx) {
    armed = true;
    deadline = System.nanoTime() + timeoutNanos;
    if (timer == null) {
      timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void check(ChannelHandlerContext ctx) {
    timer = null;
    if (!armed || !ctx.channel().isActive()) {
      return;
    }
    long left = deadline - System.nanoTime();
    if (left > 0) {
      timer = ctx.executor().schedule(() -> check(ctx), left, TimeUnit.NANOSECONDS);
      return;
    }
    armed = false;
    if (!decoder.partialHead()) {
      ctx.close(); // an idle keep-alive connection: nothing to answer
      return;
    }
    expired = true;
    // stands in for the request that never completed, so the gateway answers and logs it like any refused request
    HttpRequest stand = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", new DefaultHttpHeaders());
    stand.setDecoderResult(DecoderResult.failure(new RequestFraming.HeaderTimeoutException(
        "the request headers did not arrive within " + dev.gatehouse.config.Quantities.format(
            Duration.ofNanos(timeoutNanos)))));
    ctx.fireChannelRead(stand);
    ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
  }
}

package dev.gatehouse.proxy;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyResponse;
import java.util.concurrent.TimeoutException;

/**
 * Bounds the silence of an upstream's response body. The HTTP client's timeout covers the wait for the response
 * headers only; an upstream that stops half-way through its body would otherwise hold the client's connection (and
 * the upstream connection) until the client gives up. While the gateway is reading (not holding the stream back because
 * the client reads slowly), the upstream must send something every {@code upstreams.responseTimeout}; otherwise the
 * body fails with a timeout, and the proxy resets both the upstream request and the client's response, so the client
 * can never take the truncated body for a whole one.
 *
 * <p>One timer per response at most, rescheduled lazily rather than per chunk. Confined to the event loop.
 */
final class SilentBodyGuard implements ReadStream<Buffer> {

  private final Vertx vertx;
  private final ReadStream<Buffer> source;
  private final long timeoutMillis;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long lastData;
  private long timer = -1;
  private boolean paused;
  private boolean done;

  private SilentBodyGuard(Vertx vertx, ReadStream<Buffer> source, long timeoutMillis) {
    this.vertx = vertx;
    this.source = source;
    this.timeoutMillis = timeoutMillis;
  }

  /** Puts the guard between {@code response}'s body and the client. */
  static void watch(Vertx vertx, ProxyResponse response, long timeoutMillis) {
    Body body = response.getBody();
    if (body == null) {
      return;
    }
    response.setBody(Body.body(new SilentBodyGuard(vertx, body.stream(), timeoutMillis), body.length(),
        body.mediaType()));
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      source.handler(null);
      return this;
    }
    lastData = System.nanoTime();
    schedule(timeoutMillis);
    source.handler(chunk -> {
      lastData = System.nanoTime();
      handler.handle(chunk);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    source.exceptionHandler(e -> {
      stop();
      if (handler != null) {
        handler.handle(e);
      }
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    source.endHandler(v -> {
      stop();
      if (endHandler != null) {
        endHandler.handle(v);
      }
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    paused = true;
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    paused = false;
    lastData = System.nanoTime();
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    paused = false;
    lastData = System.nanoTime();
    source.fetch(amount);
    return this;
  }

  private void schedule(long delayMillis) {
    if (timer < 0 && !done) {
      timer = vertx.setTimer(Math.max(1, delayMillis), id -> check());
    }
  }

  private void check() {
    timer = -1;
    if (done) {
      return;
    }
    long silent = (System.nanoTime() - lastData) / 1_000_000;
    if (paused || silent < timeoutMillis) {
      schedule(paused ? timeoutMillis : timeoutMillis - silent);
      return;
    }
    done = true;
    source.pause();
    if (exceptionHandler != null) {
      exceptionHandler.handle(new TimeoutException("the upstream sent nothing for " + timeoutMillis + " ms"));
    }
  }

  private void stop() {
    done = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}

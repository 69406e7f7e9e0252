package dev.gatehouse.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP app for the gateway to proxy to. It records every request it receives (like okhttp's MockWebServer),
 * so tests assert on what the app actually got, and answers with a JSON echo unless told to behave otherwise.
 */
public final class RecordingUpstream implements AutoCloseable {

  /** How the upstream answers; {@code bodyReceived} completes when the whole request body has arrived. */
  @FunctionalInterface
  public interface Behaviour {
    void respond(HttpServerRequest request, Future<Void> bodyReceived);
  }

  /** What the upstream received. */
  public record Received(String method, String uri, MultiMap headers, AtomicLong body, Future<Void> complete) {
    /** The request body's size, once it has fully arrived. */
    public long bodyBytes() {
      try {
        complete.await(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the request body did not arrive");
      }
      return body.get();
    }
  }

  public static final Behaviour ECHO = (request, bodyReceived) -> bodyReceived.onSuccess(v -> {
    JsonObject headers = new JsonObject();
    request.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
    request.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("method", request.method().name()).put("uri", request.uri()).put("headers", headers).encode());
  });

  private final Vertx vertx;
  private final HttpServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile Behaviour behaviour = ECHO;

  private RecordingUpstream(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        // apps behind a gateway see large identity headers (many groups); keep the default from getting in the way
        .setMaxHeaderSize(64 * 1024))
        .connectionHandler(c -> connections.incrementAndGet())
        .webSocketHandler(ws -> {
          received.add(new Received("WEBSOCKET", ws.uri(), MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()),
              new AtomicLong(), Future.succeededFuture()));
          ws.handler(ws::write);
        })
        .requestHandler(this::handle);
  }

  public static RecordingUpstream start(Vertx vertx) {
    RecordingUpstream upstream = new RecordingUpstream(vertx);
    upstream.server.listen().await();
    return upstream;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public void behave(Behaviour b) {
    this.behaviour = b;
  }

  private void handle(HttpServerRequest request) {
    Promise<Void> complete = Promise.promise();
    AtomicLong bytes = new AtomicLong();
    received.add(new Received(request.method().name(), request.uri(),
        MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), bytes, complete.future()));
    request.handler(b -> bytes.addAndGet(b.length()));
    request.endHandler(v -> complete.tryComplete());
    request.exceptionHandler(complete::tryFail);
    behaviour.respond(request, complete.future());
  }

  /** The next request the upstream received, waiting up to five seconds. */
  public Received take() {
    try {
      Received r = received.poll(5, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("the upstream received no request within 5 seconds");
      }
      return r;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Whatever the upstream received so far, without waiting. */
  public List<Received> drain() {
    List<Received> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  public int connections() {
    return connections.get();
  }

  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    server.close().await();
  }
}

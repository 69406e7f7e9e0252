package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.GatewayProcess;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream with back-pressure: a gateway process limited to a 64 MiB heap carries a 1 GiB upload and a 1 GiB
 * download. If it buffered either body it would run out of memory.
 */
class StreamingIT {

  static final long ONE_GIB = 1L << 30;
  static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);
  static final long YIELD_AFTER_BYTES = 1L << 20;

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static GatewayProcess gateway;
  static int port;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
    Path config = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("upstreams", "responseTimeout: 60s").section("accessLog", "stdout: false\nfile: access.log")
        .section("limits", "maxBodySize: 2GiB") // the default (100 MiB) is meant to refuse an upload this large
        .write();
    gateway = GatewayProcess.start(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"), "run", "--config", config.toString());
    port = gateway.awaitListening();
    token = idp.token("ursula", Map.of("groups", List.of("staff")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.stop();
    }
    idp.close();
    upstream.close();
    vertx.close();
    // this class's gateway runs in its own process; warnings in this JVM come from the test's own client pushing
    // a gigabyte, and must not be blamed on the next in-process gateway
    dev.gatehouse.testing.BlockedThreadWarnings.drain();
  }

  @Test
  void aOneGibUploadStreamsThrough() throws Exception {
    HttpClient client = vertx.createHttpClient(TestGateway.clientOptions());
    try {
      int status = client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(port)
              .setURI("/allowed/upload").putHeader("Authorization", "Bearer " + token)
              .putHeader("Content-Length", Long.toString(ONE_GIB)))
          .compose(request -> generate(request, ONE_GIB).compose(v -> request.response()))
          .map(response -> response.statusCode())
          .await(5, TimeUnit.MINUTES);

      assertThat(status).isEqualTo(200);
      assertThat(upstream.take().bodyBytes()).isEqualTo(ONE_GIB);
      assertThat(gateway.process().isAlive()).isTrue();
    } finally {
      client.close();
    }
  }

  @Test
  void aOneGibDownloadStreamsThrough() throws Exception {
    upstream.behave((request, received) -> received.onSuccess(v -> {
      request.response().putHeader("Content-Length", Long.toString(ONE_GIB));
      generate(request.response(), ONE_GIB).onSuccess(done -> request.response().end());
    }));
    HttpClient client = vertx.createHttpClient(TestGateway.clientOptions());
    try {
      AtomicLong received = new AtomicLong();
      int status = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(port)
              .setURI("/allowed/download").putHeader("Authorization", "Bearer " + token))
          .compose(request -> request.send().compose(response -> {
            response.handler(b -> received.addAndGet(b.length()));
            return response.end().map(v -> response.statusCode());
          }))
          .await(5, TimeUnit.MINUTES);

      assertThat(status).isEqualTo(200);
      assertThat(received.get()).isEqualTo(ONE_GIB);
      assertThat(gateway.process().isAlive()).isTrue();
      upstream.take();
    } finally {
      upstream.behave(RecordingUpstream.ECHO);
      client.close();
    }
  }

  /**
   * Writes {@code total} bytes to {@code stream}, waiting for drain whenever its queue is full. Must run on a Vert.x
   * context. On loopback the queue may never fill, so it also yields the event loop after each mebibyte.
   */
  static io.vertx.core.Future<Void> generate(io.vertx.core.streams.WriteStream<Buffer> stream, long total) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    AtomicLong left = new AtomicLong(total);
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      long turn = 0;
      while (left.get() > 0 && !stream.writeQueueFull()) {
        if (turn >= YIELD_AFTER_BYTES) {
          context.runOnContext(v -> pump[0].run());
          return;
        }
        int n = (int) Math.min(CHUNK.length(), left.get());
        left.addAndGet(-n);
        turn += n;
        stream.write(n == CHUNK.length() ? CHUNK : CHUNK.slice(0, n));
      }
      if (left.get() == 0) {
        if (stream instanceof HttpClientRequest request) {
          request.end().onComplete(done);
        } else {
          done.tryComplete();
        }
      } else {
        stream.drainHandler(v -> pump[0].run());
      }
    };
    pump[0].run();
    return done.future();
  }

}

package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RawConnection;
import dev.gatehouse.testing.RawHttp2;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The time limits and the connection limit, against clients that hold connections on purpose: a slowloris client that
 * trickles its head, a silent TLS connection, a TCP connection that never starts TLS, an idle keep-alive or HTTP/2
 * connection, and more connections than {@code limits.maxConnections}. Each is closed within a bounded time (the
 * assertions allow generous slack over the configured limits), and legitimate long requests and WebSockets are not.
 */
class ConnectionLimitsIT {

  static final Duration BOUND = Duration.ofSeconds(5);

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway timeouts;
  static TestGateway crowded;
  static String auth;
  static final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    upstream.behave((request, received) -> {
      if (request.path().startsWith("/allowed/slow")) {
        // the upstream takes longer than the header timeout: a request in progress is not cut
        received.onSuccess(v -> vertx.setTimer(1500, t -> request.response().end("slow")));
        return;
      }
      RecordingUpstream.ECHO.respond(request, received);
    });
    idp = TestIdp.start();
    timeouts = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("limits", "headerTimeout: 1s\nidleTimeout: 3s\nhandshakeTimeout: 1s")
        .section("upstreams", "responseTimeout: 5s").start();
    crowded = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("limits", "maxConnections: 2").start();
    auth = "Authorization: Bearer " + idp.token("ursula", Map.of("groups", List.of("staff"))) + "\r\n";
  }

  @AfterAll
  static void stop() {
    trickle.shutdownNow();
    timeouts.close();
    crowded.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  @Test
  void aSlowlorisClientIsAnswered408AndClosedWithinTheHeaderTimeout() throws Exception {
    timeouts.newEvents();
    try (RawConnection c = RawConnection.open(timeouts.port())) {
      c.send("GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n" + auth + "X-Slow: ");
      // one more byte every 200 ms: never idle, never done
      var sender = trickle.scheduleAtFixedRate(() -> {
        try {
          c.send("a");
        } catch (IOException e) {
          throw new IllegalStateException(e); // closed: stop
        }
      }, 200, 200, TimeUnit.MILLISECONDS);
      long start = System.nanoTime();
      RawConnection.Answer answer = c.readUntilClosed(BOUND);
      sender.cancel(true);

      assertThat(answer.closed()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
      assertThat(answer.status()).isEqualTo(408);
      assertThat(answer.reason()).isEqualTo("request-timeout");
    }
    List<JsonObject> events = timeouts.newEvents();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.getInteger("status")).isEqualTo(408);
      assertThat(e.getString("reason")).isEqualTo("request-timeout");
      assertThat(e.getString("detail")).isEqualTo("the request headers did not arrive within 1s");
    });
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void aTlsConnectionThatSendsNothingIsClosedWithoutAnAnswer() throws Exception {
    timeouts.newEvents();
    try (RawConnection c = RawConnection.open(timeouts.port())) {
      RawConnection.Answer answer = c.readUntilClosed(BOUND);

      assertThat(answer.closed()).isTrue();
      assertThat(answer.text()).isEmpty();
    }
    assertThat(timeouts.newEvents()).isEmpty();
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
    try (RawConnection c = RawConnection.open(timeouts.port())) {
      c.send("GET /allowed/keep HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
      long start = System.nanoTime();
      RawConnection.Answer after = c.readUntilClosed(BOUND);

      assertThat(after.closed()).isTrue();
      assertThat(after.text()).as("nothing was requested, so nothing is answered").isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
    upstream.take();
  }

  @Test
  void aRequestThatOutlastsTheHeaderTimeoutIsNotCutAndTheConnectionServesTheNextOne() throws Exception {
    try (RawConnection c = RawConnection.open(timeouts.port())) {
      c.send("GET /allowed/slow HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 200").endsWith("slow");
      c.send("GET /allowed/next HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
    }
    assertThat(upstream.take().uri()).isEqualTo("/allowed/slow");
    assertThat(upstream.take().uri()).isEqualTo("/allowed/next");
  }

  @Test
  void aTcpConnectionThatNeverStartsTlsIsClosedWithinTheHandshakeTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", timeouts.port())) {
      socket.setSoTimeout((int) BOUND.toMillis());
      long start = System.nanoTime();
      int read;
      try {
        read = socket.getInputStream().read();
      } catch (java.net.SocketException e) {
        read = -1; // reset: closed as well
      }

      assertThat(read).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void anIdleHttp2ConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (RawHttp2 h2 = RawHttp2.connect(timeouts.port())) {
      h2.soTimeout((int) Duration.ofSeconds(8).toMillis());
      long start = System.nanoTime();
      while (h2.read() != null) {
        // SETTINGS, SETTINGS ack, perhaps GOAWAY: read until the connection ends
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isGreaterThan(Duration.ofSeconds(2)).isLessThan(Duration.ofSeconds(7));
    }
  }

  @Test
  void aWebSocketOutlivesTheHeaderTimeout() throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(TestPki.ca().certificate().toString())));
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(timeouts.port())
          .setURI("/allowed/socket").addHeader("Authorization", auth.substring("Authorization: ".length()).trim()))
          .await(10, TimeUnit.SECONDS);
      Future<Buffer> echoed = Future.future(p -> ws.handler(p::tryComplete));
      // twice the header timeout later, the socket still carries messages
      vertx.setTimer(2000, t -> ws.writeTextMessage("still here"));

      assertThat(echoed.await(10, TimeUnit.SECONDS).toString()).isEqualTo("still here");
      ws.close().await(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
    upstream.take();
  }

  @Test
  void connectionsBeyondMaxConnectionsAreAnswered503AndClosed() throws Exception {
    crowded.newEvents();
    try (RawConnection first = RawConnection.open(crowded.port());
        RawConnection second = RawConnection.open(crowded.port())) {
      for (RawConnection c : List.of(first, second)) {
        c.send("GET /allowed/held HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
        assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
        upstream.take();
      }

      RawConnection.Answer third = RawConnection.exchange(crowded.port(),
          "GET /allowed/third HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(third.status()).isEqualTo(503);
      assertThat(third.reason()).isEqualTo("too-many-connections");
      assertThat(third.closed()).isTrue();
      assertThat(upstream.drain()).isEmpty();
      assertThat(crowded.newEvents()).extracting(e -> e.getString("reason")).containsExactly("allowed", "allowed",
          "too-many-connections");

      // the held connections still work
      first.send("GET /allowed/again HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(first.readResponse()).startsWith("HTTP/1.1 200");
      upstream.take();
    }
    // once they are closed, new connections are served again (the count drops when the gateway sees the close)
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; attempt++) {
      status = RawConnection.exchange(crowded.port(), "GET /allowed/later HTTP/1.1\r\nHost: localhost\r\n" + auth
          + "Connection: close\r\n\r\n").status();
    }
    assertThat(status).isEqualTo(200);
    upstream.drain();
  }
}

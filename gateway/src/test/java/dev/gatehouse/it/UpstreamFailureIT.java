package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Events;
import dev.gatehouse.testing.MisbehavingUpstream;
import dev.gatehouse.testing.MisbehavingUpstream.Mode;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RawConnection;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that fail on purpose, with real sockets: refused, reset, garbage, headers that never come, a body that stops
 * half-way. Each becomes a 502 or 504 within a bounded time with one access event; a response that had begun is cut
 * off rather than ended, so the client cannot take a truncated body for a whole one. Only a GET, HEAD or OPTIONS that
 * never reached the upstream is retried, once. The circuit breaker opens after repeated failures, answers 503 without
 * touching the upstream while open, and lets one probe through after its open duration (time comes from a clock the
 * test moves).
 */
class UpstreamFailureIT {

  static final Duration BOUND = Duration.ofSeconds(4);

  static final Map<Mode, MisbehavingUpstream> upstreams = new EnumMap<>(Mode.class);
  static MisbehavingUpstream retried;
  static MisbehavingUpstream retriedPost;
  static MisbehavingUpstream neverUp;
  static MisbehavingUpstream flaky;
  static int closedPort;
  static MutableClock clock = new MutableClock();
  static io.vertx.core.Vertx vertx;
  static dev.gatehouse.testing.JwksServer idp;
  static TestGateway gateway;
  static TestGateway guarded;

  @BeforeAll
  static void start() throws Exception {
    vertx = io.vertx.core.Vertx.vertx();
    idp = dev.gatehouse.testing.JwksServer.start(vertx); // the routes are public; a gateway needs an issuer anyway
    StringBuilder routes = new StringBuilder("routes:\n");
    for (Mode mode : List.of(Mode.OK, Mode.RESET, Mode.GARBAGE, Mode.STALL_HEADERS, Mode.STALL_BODY,
        Mode.STALL_CHUNKED_BODY, Mode.LARGE_CHUNKED_BODY)) {
      MisbehavingUpstream u = MisbehavingUpstream.start(mode);
      upstreams.put(mode, u);
      routes.append(route(mode.name().toLowerCase().replace('_', '-'), u.url()));
    }
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    routes.append(route("refused", "http://127.0.0.1:" + closedPort));
    retried = MisbehavingUpstream.startTls(Mode.OK_AFTER_FAILED_HANDSHAKES, 1);
    retriedPost = MisbehavingUpstream.startTls(Mode.OK_AFTER_FAILED_HANDSHAKES, 1);
    neverUp = MisbehavingUpstream.startTls(Mode.OK_AFTER_FAILED_HANDSHAKES, 1000);
    routes.append(route("retried", retried.url())).append(route("retried-post", retriedPost.url()))
        .append(route("never-up", neverUp.url()));
    gateway = TestGateway.builder().issuer(idp.issuer()).policy("upstreams.yaml", routes.toString())
        .section("upstreams", "connectTimeout: 1s\nresponseTimeout: 1s\ntrustedCertificates: "
            + TestPki.ca().certificate())
        .start();

    flaky = MisbehavingUpstream.start(Mode.RESET);
    guarded = TestGateway.builder().issuer(idp.issuer()).clock(clock).policy("flaky.yaml", "routes:\n" + route("flaky", flaky.url()))
        .section("upstreams", "responseTimeout: 1s\ncircuitBreaker:\n  failureThreshold: 3\n  openDuration: 30s")
        .start();
  }

  static String route(String id, String upstream) {
    return "  - id: " + id + "\n    path: /" + id + "/**\n    upstream: " + upstream + "\n    public: true\n";
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    guarded.close();
    for (MisbehavingUpstream u : upstreams.values()) {
      u.close();
    }
    retried.close();
    retriedPost.close();
    neverUp.close();
    flaky.close();
    idp.close();
    vertx.close();
  }

  private static JsonObject failsWith(String path, int status, String reason) {
    gateway.newEvents();
    long start = System.nanoTime();
    TestGateway.Response r = gateway.get(path, null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.status()).isEqualTo(status);
    assertThat(r.json().getString("reason")).isEqualTo(reason);
    assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain("Exception");
    assertThat(took).isLessThan(BOUND);
    List<JsonObject> events = gateway.newEvents();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getInteger("status")).isEqualTo(status);
    assertThat(events.get(0).getString("reason")).isEqualTo(reason);
    assertThat(events.get(0).getString("upstream_address")).isNotNull();
    return events.get(0);
  }

  @Test
  void aWellBehavedUpstreamAnswers() {
    assertThat(gateway.get("/ok/x", null).body()).isEqualTo("ok");
  }

  @Test
  void aRefusedConnectionIs502() {
    failsWith("/refused/x", 502, "upstream-unavailable");
  }

  @Test
  void aResetIs502() {
    failsWith("/reset/x", 502, "upstream-failed");
  }

  @Test
  void garbageInsteadOfHttpIs502() {
    failsWith("/garbage/x", 502, "upstream-failed");
  }

  @Test
  void headersThatNeverComeAre504AfterTheResponseTimeout() {
    JsonObject event = failsWith("/stall-headers/x", 504, "upstream-timeout");
    assertThat(event.getDouble("duration_ms")).isGreaterThanOrEqualTo(900.0);
  }

  @Test
  void http2ClientsGetTheSameAnswers() {
    assertThat(gateway.sendHttp2(HttpMethod.GET, "/reset/x", Map.of()).status()).isEqualTo(502);
    assertThat(gateway.sendHttp2(HttpMethod.GET, "/stall-headers/x", Map.of()).status()).isEqualTo(504);
    assertThat(gateway.sendHttp2(HttpMethod.GET, "/refused/x", Map.of()).json().getString("reason"))
        .isEqualTo("upstream-unavailable");
  }

  @Test
  void aBodyThatStopsHalfWayCutsTheClientOffInsteadOfEndingTheResponse() throws Exception {
    gateway.newEvents();
    RawConnection.Answer answer = RawConnection.exchange(gateway.port(),
        "GET /stall-body/x HTTP/1.1\r\nHost: localhost\r\n\r\n");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Length")).isEqualTo("100");
    assertThat(answer.text()).endsWith("\r\n\r\n0123456789");
    assertThat(answer.closed()).as("the gateway closed the connection").isTrue();
    assertThat(answer.elapsed()).isLessThan(BOUND);
    List<JsonObject> events = Events.awaitNew(gateway, 1, BOUND);
    assertThat(events).singleElement().satisfies(e -> assertThat(e.getString("reason")).isEqualTo("upstream-timeout"));
  }

  @Test
  void aChunkedBodyThatStopsHalfWayNeverGetsItsLastChunk() throws Exception {
    gateway.newEvents();
    RawConnection.Answer answer = RawConnection.exchange(gateway.port(),
        "GET /stall-chunked-body/x HTTP/1.1\r\nHost: localhost\r\n\r\n");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.text()).contains("0123456789").doesNotContain("\r\n0\r\n\r\n");
    assertThat(answer.closed()).isTrue();
    assertThat(answer.elapsed()).isLessThan(BOUND);
    assertThat(Events.awaitNew(gateway, 1, BOUND)).singleElement()
        .satisfies(e -> assertThat(e.getString("reason")).isEqualTo("upstream-timeout"));
  }

  @Test
  void aLargeResponseWithoutALengthStreamsToHttp11ButIsNotBufferedWithoutBoundForHttp10() throws Exception {
    RawConnection.Answer http11 = RawConnection.exchange(gateway.port(),
        "GET /large-chunked-body/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(http11.status()).isEqualTo(200);
    assertThat(http11.text()).endsWith("\r\n0\r\n\r\n");
    assertThat(http11.text().length()).isGreaterThan(20 << 20);

    gateway.newEvents();
    RawConnection.Answer http10 = RawConnection.exchange(gateway.port(),
        "GET /large-chunked-body/x HTTP/1.0\r\nHost: localhost\r\n\r\n");
    assertThat(http10.closed()).isTrue();
    assertThat(http10.text().length()).as("what the HTTP/1.0 client got").isLessThan(17 << 20);
    assertThat(Events.awaitNew(gateway, 1, BOUND)).singleElement().satisfies(e -> {
      assertThat(e.getString("reason")).isEqualTo("upstream-failed");
      assertThat(e.getString("detail")).contains("HTTP/1.0");
    });
  }

  @Test
  void aGetWhoseConnectionCouldNotBeMadeIsRetriedOnce() {
    TestGateway.Response r = gateway.get("/retried/x", null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(retried.accepted()).isEqualTo(2);
  }

  @Test
  void aPostIsNeverRetried() {
    TestGateway.Response r = gateway.send(HttpMethod.POST, "/retried-post/x", Map.of(), Buffer.buffer("body"));

    assertThat(r.status()).isEqualTo(502);
    assertThat(retriedPost.accepted()).isEqualTo(1);
  }

  @Test
  void aRetryHappensAtMostOnce() {
    TestGateway.Response r = gateway.get("/never-up/x", null);

    assertThat(r.status()).isEqualTo(502);
    assertThat(neverUp.accepted()).isEqualTo(2);
  }

  @Test
  void theCircuitBreakerOpensAfterRepeatedFailuresAndProbesAfterItsOpenDuration() throws Exception {
    flaky.mode(Mode.RESET);
    guarded.newEvents();
    for (int i = 0; i < 3; i++) {
      assertThat(guarded.get("/flaky/" + i, null).status()).isEqualTo(502);
    }
    int attempts = flaky.accepted();

    TestGateway.Response open = guarded.get("/flaky/open", null);
    assertThat(open.status()).isEqualTo(503);
    assertThat(open.json().getString("reason")).isEqualTo("upstream-circuit-open");
    assertThat(Integer.parseInt(open.header("Retry-After"))).isBetween(29, 30);
    assertThat(flaky.accepted()).as("the open breaker kept the request from the upstream").isEqualTo(attempts);
    assertThat(guarded.newEvents()).extracting(e -> e.getString("reason")).containsExactly("upstream-failed",
        "upstream-failed", "upstream-failed", "upstream-circuit-open");

    // after the open duration one probe passes; it fails, so the breaker opens again at once
    clock.advance(Duration.ofSeconds(31));
    assertThat(guarded.get("/flaky/probe", null).status()).isEqualTo(502);
    assertThat(guarded.get("/flaky/again", null).status()).isEqualTo(503);

    // the upstream recovers: the next probe succeeds and closes the breaker
    flaky.mode(Mode.OK);
    clock.advance(Duration.ofSeconds(31));
    assertThat(guarded.get("/flaky/probe2", null).status()).isEqualTo(200);
    assertThat(guarded.get("/flaky/closed", null).status()).isEqualTo(200);
  }

  @Test
  void whileTheProbeIsInFlightOtherRequestsAreStillRefused() throws Exception {
    flaky.mode(Mode.RESET);
    for (int i = 0; i < 3; i++) {
      guarded.get("/flaky/" + i, null);
    }
    assertThat(guarded.get("/flaky/open", null).status()).isEqualTo(503);
    flaky.mode(Mode.STALL_HEADERS);
    clock.advance(Duration.ofSeconds(31));
    flaky.clearConnections();
    CompletableFuture<Integer> probe = CompletableFuture.supplyAsync(() -> guarded.get("/flaky/probe", null).status());
    flaky.awaitConnection(Duration.ofSeconds(10)); // the probe holds the breaker's one permit now

    assertThat(guarded.get("/flaky/meanwhile", null).status()).isEqualTo(503);
    assertThat(probe.get(10, TimeUnit.SECONDS)).isEqualTo(504);
    flaky.mode(Mode.OK);
    clock.advance(Duration.ofSeconds(31));
    assertThat(guarded.get("/flaky/recovered", null).status()).isEqualTo(200);
  }
}

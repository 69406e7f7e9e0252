package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Future;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy stage: bodies both ways, upstream failures, connection reuse, WebSocket upgrades. */
class ProxyIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;
  static TestGateway gatewayToNowhere;
  static String token;

  static final String NOWHERE = """
      routes:
        - id: dead
          path: /dead/**
          upstream: http://127.0.0.1:%d
          public: true
      """;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("upstreams", "responseTimeout: 500ms").start();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    gatewayToNowhere = TestGateway.builder().idp(idp).policy("dead.yaml", NOWHERE.formatted(closedPort)).start();
    token = idp.token("ursula", Map.of("groups", List.of("staff")));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    gatewayToNowhere.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  @Test
  void requestBodiesAndMethodsReachTheUpstream() {
    Buffer body = Buffer.buffer("{\"amount\": 42}");
    TestGateway.Response r = gateway.send(HttpMethod.PUT, "/allowed/orders/7",
        Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"), body);

    assertThat(r.status()).isEqualTo(200);
    RecordingUpstream.Received seen = upstream.take();
    assertThat(seen.method()).isEqualTo("PUT");
    assertThat(seen.bodyBytes()).isEqualTo(body.length());
    assertThat(seen.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.json().getString("method")).isEqualTo("PUT");
  }

  @Test
  void upstreamStatusAndHeadersComeBackToTheClient() {
    upstream.behave((request, received) -> received.onSuccess(v -> request.response().setStatusCode(418)
        .putHeader("X-App", "teapot").putHeader("Connection", "X-App-Secret").putHeader("X-App-Secret", "hop")
        .end("short and stout")));
    try {
      TestGateway.Response r = gateway.get("/allowed/tea", token);
      assertThat(r.status()).isEqualTo(418);
      assertThat(r.body()).isEqualTo("short and stout");
      assertThat(r.header("X-App")).isEqualTo("teapot");
      assertThat(r.header("X-App-Secret")).as("nominated hop-by-hop header").isNull();
      upstream.take();
    } finally {
      upstream.behave(RecordingUpstream.ECHO);
    }
  }

  @Test
  void anUnreachableUpstreamGivesA502WithoutInternalDetail() {
    TestGateway.Response r = gatewayToNowhere.get("/dead/x", null);

    assertThat(r.status()).isEqualTo(502);
    assertThat(r.json().getString("reason")).isEqualTo("upstream-unavailable");
    assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain("Exception").doesNotContain("refused");
    JsonObject event = last(gatewayToNowhere);
    assertThat(event.getInteger("status")).isEqualTo(502);
    assertThat(event.getString("upstream_address")).startsWith("127.0.0.1:");
  }

  @Test
  void aSlowUpstreamGivesA504AfterTheConfiguredTimeout() {
    upstream.behave((request, received) -> { /* never answers */ });
    try {
      long start = System.nanoTime();
      TestGateway.Response r = gateway.get("/allowed/slow", token);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(r.status()).isEqualTo(504);
      assertThat(r.json().getString("reason")).isEqualTo("upstream-timeout");
      assertThat(millis).isBetween(400L, 5_000L);
      upstream.take();
    } finally {
      upstream.behave(RecordingUpstream.ECHO);
    }
  }

  @Test
  void upstreamConnectionsAreReused() {
    int before = upstream.connections();
    for (int i = 0; i < 20; i++) {
      assertThat(gateway.get("/allowed/" + i, token).status()).isEqualTo(200);
      upstream.take();
    }
    // one client connection lands on one event loop, whose pool keeps one keep-alive connection
    assertThat(upstream.connections() - before).isLessThanOrEqualTo(2);
  }

  @Test
  void aDeniedRequestsBodyIsNeverForwarded() {
    TestGateway.Response r = gateway.send(HttpMethod.POST, "/billing/invoices",
        Map.of("Authorization", "Bearer " + token), Buffer.buffer(new byte[64 * 1024]));

    assertThat(r.status()).isEqualTo(403);
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void webSocketsPassThroughAfterAuthentication() throws Exception {
    WebSocketClient client = upstreamVertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(
            dev.gatehouse.testing.TestPki.ca().certificate().toString())));
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.port())
          .setURI("/allowed/socket").addHeader("Authorization", "Bearer " + token)
          .addHeader("X-Forwarded-User", "ada")).await(10, TimeUnit.SECONDS);
      Future<Buffer> echoed = Future.future(p -> ws.handler(p::tryComplete));
      ws.writeTextMessage("ping");
      assertThat(echoed.await(10, TimeUnit.SECONDS).toString()).isEqualTo("ping");
      RecordingUpstream.Received seen = upstream.take();
      assertThat(seen.method()).isEqualTo("WEBSOCKET");
      assertThat(seen.headers().getAll("X-Forwarded-User")).containsExactly("ursula");
      assertThat(seen.headers().get("Authorization")).isNull();
      ws.close().await(10, TimeUnit.SECONDS);
      JsonObject event = last(gateway);
      assertThat(event.getInteger("status")).isEqualTo(101);
      assertThat(event.getString("subject")).isEqualTo("ursula");
    } finally {
      client.close();
    }
  }

  @Test
  void webSocketsWithoutATokenAreRefused() {
    WebSocketClient client = upstreamVertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(dev.gatehouse.testing.TestPki.ca().certificate().toString())));
    try {
      Throwable failure = client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.port())
          .setURI("/allowed/socket")).transform(ar -> Future.succeededFuture(ar.cause())).await();
      assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
      assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(401);
      assertThat(upstream.drain()).isEmpty();
    } finally {
      client.close();
    }
  }

  @Test
  void http2RequestBodiesStreamToTheUpstream() {
    HttpClient h2 = upstreamVertx.createHttpClient(TestGateway.clientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setUseAlpn(true));
    try {
      int status = h2.request(HttpMethod.POST, gateway.port(), "localhost", "/allowed/upload")
          .compose(req -> req.putHeader("Authorization", "Bearer " + token).send(Buffer.buffer(new byte[200_000])))
          .map(resp -> resp.statusCode()).await();
      assertThat(status).isEqualTo(200);
      assertThat(upstream.take().bodyBytes()).isEqualTo(200_000);
    } finally {
      h2.close();
    }
  }

  private static JsonObject last(TestGateway g) {
    List<JsonObject> events = g.events().stream().filter(e -> "access".equals(e.getString("type"))).toList();
    return events.get(events.size() - 1);
  }

}

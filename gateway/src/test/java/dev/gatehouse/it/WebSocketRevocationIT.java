package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.policy.ReloadResult;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Long-lived connections are not grandfathered: a WebSocket closes when its caller loses access. */
class WebSocketRevocationIT {

  static final String ALLOWED = """
      permissions:
        chat: [staff]
      routes:
        - id: chat
          path: /chat/**
          upstream: ${UPSTREAM}
          allow:
            - permissions: [chat]
      """;

  Vertx vertx;
  RecordingUpstream upstream;
  TestIdp idp;
  MutableClock clock;
  TestGateway gateway;
  WebSocketClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
    clock = new MutableClock();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).clock(clock).policy("chat.yaml", ALLOWED).start();
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(TestPki.ca().certificate().toString())));
  }

  @AfterEach
  void stop() {
    client.close();
    gateway.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  record Connected(WebSocket socket, Future<Short> closedWith) {}

  Connected connect(String token) throws Exception {
    WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.port())
        .setURI("/chat/room").addHeader("Authorization", "Bearer " + token)).await(10, TimeUnit.SECONDS);
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    Promise<Buffer> echo = Promise.promise();
    ws.handler(echo::tryComplete);
    ws.writeTextMessage("hello");
    assertThat(echo.future().await(10, TimeUnit.SECONDS).toString()).isEqualTo("hello");
    return new Connected(ws, closed.future());
  }

  @Test
  void aPolicyChangeThatRemovesAccessClosesOpenSockets() throws Exception {
    Connected ws = connect(idp.token("sam", Map.of("groups", List.of("staff"))));
    CompletableFuture<ReloadResult> reload = gateway.nextReload();

    gateway.writePolicy("chat.yaml", ALLOWED.replace("chat: [staff]", "chat: [moderators]"), upstream);

    assertThat(reload.get(10, TimeUnit.SECONDS)).isInstanceOf(ReloadResult.Applied.class);
    assertThat(ws.closedWith().await(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);
    JsonObject closed = closedEvent();
    assertThat(closed.getString("closed_by")).isEqualTo("gateway");
    assertThat(closed.getInteger("close_code")).isEqualTo(1008);
    assertThat(closed.getString("subject")).isEqualTo("sam");
    assertThat(closed.getString("reason")).contains("no longer allowed").contains("permission-missing");
  }

  @Test
  void aPolicyChangeThatKeepsAccessLeavesSocketsOpen() throws Exception {
    Connected ws = connect(idp.token("sam", Map.of("groups", List.of("staff"))));
    CompletableFuture<ReloadResult> reload = gateway.nextReload();

    gateway.writePolicy("chat.yaml", ALLOWED.replace("chat: [staff]", "chat: [staff, moderators]"), upstream);

    assertThat(reload.get(10, TimeUnit.SECONDS)).isInstanceOf(ReloadResult.Applied.class);
    Promise<Buffer> echo = Promise.promise();
    ws.socket().handler(echo::tryComplete);
    ws.socket().writeTextMessage("still here");
    assertThat(echo.future().await(10, TimeUnit.SECONDS).toString()).isEqualTo("still here");
    assertThat(ws.closedWith().isComplete()).isFalse();
  }

  @Test
  void aSocketClosesWhenItsCredentialExpires() throws Exception {
    Connected ws = connect(idp.token("sam", List.of(TestIdp.AUDIENCE), Map.of("groups", List.of("staff")), 600));

    clock.advance(Duration.ofMinutes(11));

    assertThat(ws.closedWith().await(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);
    assertThat(closedEvent().getString("reason")).isEqualTo("the credential expired");
  }

  @Test
  void aClientClosingItsSocketIsRecordedToo() throws Exception {
    Connected ws = connect(idp.token("sam", Map.of("groups", List.of("staff"))));

    ws.socket().close().await(10, TimeUnit.SECONDS);

    JsonObject closed = null;
    for (int i = 0; i < 50 && closed == null; i++) {
      closed = gateway.events().stream().filter(e -> "websocket_closed".equals(e.getString("type"))).findFirst().orElse(null);
      if (closed == null) {
        Thread.sleep(100); // the gateway sees the close asynchronously; bounded wait for its event
      }
    }
    assertThat(closed).isNotNull();
    assertThat(closed.getString("closed_by")).isIn("client", "upstream");
  }

  private JsonObject closedEvent() {
    List<JsonObject> closed = gateway.events().stream().filter(e -> "websocket_closed".equals(e.getString("type"))).toList();
    assertThat(closed).hasSize(1);
    return closed.get(0);
  }
}

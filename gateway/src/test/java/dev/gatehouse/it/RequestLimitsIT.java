package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.Events;
import dev.gatehouse.testing.RawConnection;
import dev.gatehouse.testing.RawHttp2;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every size limit of {@code limits:} (and a route's {@code maxBodySize}) over raw TLS and HTTP/2: each is answered with
 * its status and reason, an HTTP/1.x connection is closed after the answer, nothing over a limit reaches the upstream
 * (a body refused half-way is reset, never ended), and each refusal is one access event.
 */
class RequestLimitsIT {

  static final String LIMITS = """
      maxRequestLine: 2KiB
      maxUriLength: 1000
      maxQueryLength: 300
      maxHeaderSize: 4KiB
      maxHeaders: 30
      maxBodySize: 1KiB
      http2MaxConcurrentStreams: 3
      """;

  static final String UPLOADS = """
      routes:
        - id: small-uploads
          path: /small/**
          upstream: ${UPSTREAM}
          maxBodySize: 100
          allow:
            - authenticated: true
        - id: large-uploads
          path: /large/**
          upstream: ${UPSTREAM}
          maxBodySize: 10KiB
          allow:
            - authenticated: true
      """;

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;
  static String token;
  static String auth;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    upstream.behave((request, received) -> {
      if (request.path().startsWith("/allowed/hold")) {
        return; // keeps its stream open
      }
      RecordingUpstream.ECHO.respond(request, received);
    });
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .policy("uploads.yaml", UPLOADS).section("limits", LIMITS).start();
    token = idp.token("ursula", Map.of("groups", List.of("staff")));
    auth = "Authorization: Bearer " + token + "\r\n";
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  @AfterEach
  void nothingElseReachedTheUpstream() {
    upstream.drain().forEach(r -> assertThat(r.uri()).startsWith("/allowed/hold"));
  }

  private static RawConnection.Answer refused(String request, int status, String reason) throws Exception {
    gateway.newEvents();
    RawConnection.Answer answer = RawConnection.exchange(gateway.port(), request);
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    assertThat(answer.reason()).isEqualTo(reason);
    assertThat(answer.closed()).as("the connection was closed").isTrue();
    assertThat(answer.elapsed()).isLessThan(Duration.ofSeconds(4));
    List<JsonObject> events = gateway.newEvents();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getInteger("status")).isEqualTo(status);
    assertThat(events.get(0).getString("reason")).isEqualTo(reason);
    return answer;
  }

  @Test
  void aRequestLineOverMaxRequestLineIs414() throws Exception {
    refused("GET /allowed/" + "a".repeat(2100) + " HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n", 414, "uri-too-long");
  }

  @Test
  void aTargetOverMaxUriLengthIs414() throws Exception {
    refused("GET /allowed/" + "a".repeat(1000) + " HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n", 414, "uri-too-long");
  }

  @Test
  void aQueryOverMaxQueryLengthIs414() throws Exception {
    refused("GET /allowed/x?q=" + "a".repeat(300) + " HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n", 414,
        "uri-too-long");
  }

  @Test
  void aHeaderBlockOverMaxHeaderSizeIs431() throws Exception {
    refused("GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n" + auth + "X-Big: " + "a".repeat(4096) + "\r\n\r\n", 431,
        "headers-too-large");
  }

  @Test
  void moreHeaderFieldsThanMaxHeadersIs431() throws Exception {
    refused("GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n" + auth + "X-N: 1\r\n".repeat(30) + "\r\n", 431,
        "headers-too-large");
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413BeforeAnyOfItIsRead() throws Exception {
    // only the head is sent: the answer must not wait for a body
    refused("POST /allowed/x HTTP/1.1\r\nHost: localhost\r\n" + auth + "Content-Length: 1025\r\n\r\n", 413,
        "body-too-large");
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413EvenWhenTheClientExpects100Continue() throws Exception {
    RawConnection.Answer answer = refused("POST /allowed/x HTTP/1.1\r\nHost: localhost\r\n" + auth
        + "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n", 413, "body-too-large");

    assertThat(answer.text()).doesNotContain("100 Continue");
  }

  @Test
  void aChunkedBodyPassingTheLimitIs413AndTheUpstreamNeverGetsItWhole() throws Exception {
    gateway.newEvents();
    try (RawConnection c = RawConnection.open(gateway.port())) {
      c.send("POST /allowed/upload HTTP/1.1\r\nHost: localhost\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n");
      c.send("200\r\n" + "a".repeat(512) + "\r\n");
      RecordingUpstream.Received seen = upstream.take();
      c.send("200\r\n" + "b".repeat(512) + "\r\n" + "10\r\n" + "c".repeat(16) + "\r\n");
      RawConnection.Answer answer = c.readUntilClosed(Duration.ofSeconds(5));

      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.reason()).isEqualTo("body-too-large");
      assertThat(answer.closed()).isTrue();
      assertThat(completed(seen)).as("the upstream saw the request end").isFalse();
      assertThat(seen.body().get()).isLessThanOrEqualTo(1024);
    }
    List<JsonObject> events = gateway.newEvents();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.getInteger("status")).isEqualTo(413);
      assertThat(e.getString("reason")).isEqualTo("body-too-large");
    });
  }

  @Test
  void aRouteSetsItsOwnBodyLimit() throws Exception {
    refused("POST /small/x HTTP/1.1\r\nHost: localhost\r\n" + auth + "Content-Length: 101\r\n\r\n" + "a".repeat(101), 413,
        "body-too-large");

    RawConnection.Answer big = RawConnection.exchange(gateway.port(), "POST /large/x HTTP/1.1\r\nHost: localhost\r\n"
        + auth + "Content-Length: 5000\r\nConnection: close\r\n\r\n" + "a".repeat(5000));
    assertThat(big.status()).isEqualTo(200);
    assertThat(upstream.take().bodyBytes()).isEqualTo(5000);
  }

  @Test
  void http2RequestsAreHeldToTheSameLimits() {
    HttpClient h2 = vertx.createHttpClient(TestGateway.clientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setUseAlpn(true));
    try {
      assertThat(send(h2, HttpMethod.GET, "/allowed/" + "a".repeat(1000), Map.of(), null).statusCode()).isEqualTo(414);
      assertThat(send(h2, HttpMethod.GET, "/allowed/x?q=" + "a".repeat(300), Map.of(), null).statusCode()).isEqualTo(414);
      Map<String, String> many = new LinkedHashMap<>();
      for (int i = 0; i < 30; i++) {
        many.put("x-n" + i, "1");
      }
      assertThat(send(h2, HttpMethod.GET, "/allowed/x", many, null).statusCode()).isEqualTo(431);
      assertThat(send(h2, HttpMethod.POST, "/allowed/x", Map.of(), Buffer.buffer(new byte[2000])).statusCode())
          .isEqualTo(413);
      assertThat(send(h2, HttpMethod.POST, "/allowed/x", Map.of(), Buffer.buffer(new byte[1000])).statusCode())
          .isEqualTo(200);
      assertThat(upstream.take().bodyBytes()).isEqualTo(1000);
    } finally {
      h2.close();
    }
  }

  @Test
  void http2AdvertisesItsLimitsAndRefusesAStreamBeyondMaxConcurrentStreams() throws Exception {
    gateway.newEvents();
    try (RawHttp2 h2 = RawHttp2.connect(gateway.port())) {
      RawHttp2.Frame settings = h2.await(RawHttp2.SETTINGS, 0);
      assertThat(settings.setting(RawHttp2.SETTINGS_MAX_CONCURRENT_STREAMS)).isEqualTo(3);
      assertThat(settings.setting(RawHttp2.SETTINGS_MAX_HEADER_LIST_SIZE)).isEqualTo(4096);
      h2.ackSettings();
      for (int stream = 1; stream <= 7; stream += 2) {
        h2.request(stream, "GET", "/allowed/hold/" + stream, Map.of("authorization", "Bearer " + token));
      }

      RawHttp2.Frame reset = h2.await(RawHttp2.RST_STREAM, 7);
      assertThat(reset).as("stream 7 was refused").isNotNull();
      assertThat(reset.errorCode()).isEqualTo(0x7); // REFUSED_STREAM
    }
    // the three held streams end when the connection does: their events belong to this test
    List<JsonObject> held = Events.awaitNew(gateway, 3, Duration.ofSeconds(10));
    assertThat(held).extracting(e -> e.getString("path")).containsExactlyInAnyOrder("/allowed/hold/1",
        "/allowed/hold/3", "/allowed/hold/5");
    assertThat(held).allSatisfy(e -> assertThat(e.getString("reason")).isEqualTo("client-aborted"));
  }

  private static Boolean completed(RecordingUpstream.Received seen) throws Exception {
    return seen.complete().transform(ar -> Future.succeededFuture(ar.succeeded())).await(10, TimeUnit.SECONDS);
  }

  private static HttpClientResponse send(HttpClient client, HttpMethod method, String uri, Map<String, String> headers,
      Buffer body) {
    RequestOptions options = new RequestOptions().setHost("localhost").setPort(gateway.port()).setMethod(method)
        .setURI(uri).putHeader("Authorization", "Bearer " + token);
    headers.forEach(options::putHeader);
    try {
      return client.request(options)
          .compose(r -> (body == null ? r.send() : r.send(body)).compose(resp -> resp.body().map(b -> resp)))
          .await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }
}

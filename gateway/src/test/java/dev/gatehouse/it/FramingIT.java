package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RawConnection;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling and framing over raw TLS: every request whose end is ambiguous is refused with 400, the connection
 * is closed, nothing ambiguous reaches the upstream, and the refusal is one access event. The bytes are sent exactly as
 * written, so no client library cleans them up first.
 *
 * <p>Two lists, both pinned here so that a Vert.x or Netty upgrade that changes either shows: what Netty's decoder
 * refuses by itself (duplicate or non-numeric Content-Length, bare LF and bare CR line endings, whitespace before a
 * colon or before the first header, invalid chunk sizes, HTTP/0.9), and what it would accept and the gateway's strict
 * decoder refuses (Content-Length with Transfer-Encoding, which Netty "repairs" by dropping the Content-Length;
 * Transfer-Encoding other than one plain {@code chunked}; Transfer-Encoding in HTTP/1.0; obsolete line folding; HTTP
 * versions other than 1.0 and 1.1). Netty would answer a broken chunk by closing the connection without a word; the
 * gateway answers 400 and resets the upstream request, which therefore never sees a complete body.
 */
class FramingIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;
  static String auth;

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS).start();
    auth = "Authorization: Bearer " + idp.token("ursula", Map.of("groups", List.of("staff"))) + "\r\n";
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  static final String POST = "POST /allowed/x HTTP/1.1\r\nHost: localhost\r\n";
  static final String SMUGGLED = "GET /allowed/smuggled HTTP/1.1\r\nHost: localhost\r\n{AUTH}\r\n";

  /** Refused by Netty's own decoder before the gateway sees a request. */
  static Stream<Arguments> refusedByNetty() {
    return Stream.of(
        Arguments.of("duplicate Content-Length", POST + "{AUTH}Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"),
        Arguments.of("conflicting Content-Length", POST + "{AUTH}Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"),
        Arguments.of("Content-Length list", POST + "{AUTH}Content-Length: 4, 4\r\n\r\nabcd"),
        Arguments.of("non-numeric Content-Length", POST + "{AUTH}Content-Length: abc\r\n\r\nabcd"),
        Arguments.of("negative Content-Length", POST + "{AUTH}Content-Length: -1\r\n\r\nabcd"),
        Arguments.of("signed Content-Length", POST + "{AUTH}Content-Length: +4\r\n\r\nabcd"),
        Arguments.of("space before the colon", POST + "{AUTH}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
        Arguments.of("vertical tab in Transfer-Encoding", POST + "{AUTH}Transfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("bare LF after the request line", "GET /allowed/x HTTP/1.1\nHost: localhost\r\n{AUTH}\r\n"),
        Arguments.of("bare LF after a header", "GET /allowed/x HTTP/1.1\r\nHost: localhost\n{AUTH}\r\n"),
        Arguments.of("bare LF ending the head", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n{AUTH}\n"),
        Arguments.of("bare CR", "GET /allowed/x HTTP/1.1\r\nHost: localhost\rX-A: b\r\n{AUTH}\r\n"),
        Arguments.of("whitespace before the first header", "GET /allowed/x HTTP/1.1\r\n Host: localhost\r\n{AUTH}\r\n"),
        Arguments.of("header line without a colon", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nX-A b\r\n{AUTH}\r\n"),
        Arguments.of("NUL in a header value", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0000b\r\n{AUTH}\r\n"),
        Arguments.of("HTTP/0.9", "GET /allowed/x\r\n\r\n"));
  }

  /** Accepted (or repaired) by Netty, refused by the gateway's strict decoder. */
  static Stream<Arguments> refusedByTheGateway() {
    return Stream.of(
        Arguments.of("Content-Length and Transfer-Encoding", POST + "{AUTH}Content-Length: 4\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
        Arguments.of("Transfer-Encoding and Content-Length in HTTP/1.0", "POST /allowed/x HTTP/1.0\r\nHost: localhost\r\n"
            + "{AUTH}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("Transfer-Encoding in HTTP/1.0", "POST /allowed/x HTTP/1.0\r\nHost: localhost\r\n{AUTH}"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("Transfer-Encoding xchunked", POST + "{AUTH}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
        Arguments.of("Transfer-Encoding chunked, identity", POST + "{AUTH}Transfer-Encoding: chunked, identity\r\n\r\n"
            + "0\r\n\r\n"),
        Arguments.of("Transfer-Encoding identity, chunked", POST + "{AUTH}Transfer-Encoding: identity, chunked\r\n\r\n"
            + "0\r\n\r\n"),
        Arguments.of("two Transfer-Encoding headers", POST + "{AUTH}Transfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n"),
        Arguments.of("Transfer-Encoding by obsolete line folding", POST + "{AUTH}Transfer-Encoding:\r\n chunked\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED),
        Arguments.of("obsolete line folding (space)", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n"
            + "{AUTH}\r\n"),
        Arguments.of("obsolete line folding (tab)", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n\tb\r\n"
            + "{AUTH}\r\n"),
        Arguments.of("HTTP/2.0 in a request line", "GET /allowed/x HTTP/2.0\r\nHost: localhost\r\n{AUTH}\r\n"),
        Arguments.of("HTTP/1.2", "GET /allowed/x HTTP/1.2\r\nHost: localhost\r\n{AUTH}\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedByNetty")
  void nettyRefusesWith400AndTheConnectionCloses(String name, String request) throws Exception {
    assertRefused(request, null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedByTheGateway")
  void theGatewayRefusesWith400AndTheConnectionCloses(String name, String request) throws Exception {
    assertRefused(request, null);
  }

  static Stream<Arguments> brokenChunkedBodies() {
    return Stream.of(
        Arguments.of("invalid chunk size", "zz\r\nabcd\r\n0\r\n\r\n"),
        Arguments.of("chunk size overflow", "fffffffffffffffff\r\nabcd\r\n0\r\n\r\n"),
        Arguments.of("negative chunk size", "-4\r\nabcd\r\n0\r\n\r\n"),
        Arguments.of("chunk data longer than its size", "4\r\nabcdXX\r\n0\r\n\r\n"),
        Arguments.of("broken chunk after a good one", "4\r\nabcd\r\nzz\r\nabcd\r\n0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenChunkedBodies")
  void aBrokenChunkedBodyIs400AndTheUpstreamNeverGetsAWholeBody(String name, String body) throws Exception {
    assertRefused(POST + "{AUTH}Transfer-Encoding: chunked\r\n\r\n" + body, "invalid chunked body");
  }

  @Test
  void aBrokenChunkAfterTheBodyStartedStreamingStillNeverCompletesTheUpstreamRequest() throws Exception {
    try (RawConnection c = RawConnection.open(gateway.port())) {
      c.send(POST.replace("/allowed/x", "/allowed/streaming") + auth + "Transfer-Encoding: chunked\r\n\r\n");
      c.send("4\r\nabcd\r\n");
      RecordingUpstream.Received seen = upstream.take(); // the head went upstream, the body is streaming
      c.send("zz\r\nabcd\r\n0\r\n\r\n");
      RawConnection.Answer answer = c.readUntilClosed(Duration.ofSeconds(5));

      assertThat(answer.status()).isEqualTo(400);
      assertThat(answer.closed()).isTrue();
      assertThat(seen.complete().transform(ar -> io.vertx.core.Future.succeededFuture(ar.succeeded()))
          .await(10, TimeUnit.SECONDS)).as("the upstream saw its request end").isFalse();
    }
  }

  @Test
  void aPlainChunkedBodyInAnyLetterCaseOrAfterATabIsForwardedAsChunked() throws Exception {
    for (String te : List.of("Transfer-Encoding: chunked", "Transfer-Encoding: CHUNKED", "Transfer-Encoding:\tchunked")) {
      RawConnection.Answer answer = RawConnection.exchange(gateway.port(),
          POST + auth + te + "\r\nConnection: close\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");

      assertThat(answer.status()).as(te).isEqualTo(200);
      RecordingUpstream.Received seen = upstream.take();
      assertThat(seen.bodyBytes()).isEqualTo(4);
      assertThat(seen.headers().get("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(seen.headers().get("Content-Length")).isNull();
    }
  }

  @Test
  void anAbsoluteFormTargetForAnotherHostIs400AndClosesTheConnection() throws Exception {
    RawConnection.Answer answer = RawConnection.exchange(gateway.port(),
        "GET https://internal.example/allowed/x HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.reason()).isEqualTo("path-rejected");
    assertThat(answer.closed()).isTrue();
    assertThat(answer.elapsed()).isLessThan(Duration.ofSeconds(4));
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void aGoodRequestKeepsItsConnection() throws Exception {
    try (RawConnection c = RawConnection.open(gateway.port())) {
      c.send("GET /allowed/1 HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
      c.send("GET /allowed/2 HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n");
      assertThat(c.readResponse()).startsWith("HTTP/1.1 200");
      assertThat(upstream.take().uri()).isEqualTo("/allowed/1");
      assertThat(upstream.take().uri()).isEqualTo("/allowed/2");
    }
  }

  private static void assertRefused(String template, String detail) throws Exception {
    gateway.newEvents();
    String request = template.replace("{AUTH}", auth);
    RawConnection.Answer answer = RawConnection.exchange(gateway.port(), request);

    assertThat(answer.status()).as(answer.text()).isEqualTo(400);
    assertThat(answer.responses()).as("responses on the connection").isEqualTo(1);
    assertThat(answer.reason()).isEqualTo("bad-request");
    assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
    assertThat(answer.closed()).as("the gateway closed the connection").isTrue();
    assertThat(answer.elapsed()).isLessThan(Duration.ofSeconds(4));
    for (RecordingUpstream.Received seen : upstream.drain()) {
      // a body already streaming when its framing broke: the upstream request is reset, never ended
      assertThat(seen.complete().transform(ar -> io.vertx.core.Future.succeededFuture(ar.succeeded()))
          .await(10, TimeUnit.SECONDS)).as("the upstream received a complete " + seen.method() + " " + seen.uri())
          .isFalse();
      assertThat(seen.uri()).isNotEqualTo("/allowed/smuggled");
    }
    List<JsonObject> events = gateway.newEvents();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getInteger("status")).isEqualTo(400);
    assertThat(events.get(0).getString("reason")).isEqualTo("bad-request");
    if (detail != null) {
      assertThat(events.get(0).getString("detail")).startsWith(detail);
    }
  }
}

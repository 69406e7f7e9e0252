package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.AppVerifier;
import dev.gatehouse.testing.RawHttps;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariants 3 and 4 through a running gateway: the judged path is the forwarded path, ambiguous encodings are
 * refused, and nothing a client sends can pose as the gateway's identity or forwarding headers.
 */
class RequestHygieneIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;
  static String user;
  static String admin;

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS).start();
    user = idp.token("ursula", Map.of("groups", List.of("staff")));
    admin = idp.token("ada", Map.of("groups", List.of("admins"), "email", "ada@example.com", "tenant", "acme"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  static AppVerifier app(String audience) {
    return new AppVerifier(gateway.port(), "gatehouse-test", audience, InstantSource.system(), 5);
  }

  @AfterEach
  void nothingElseReachedTheUpstream() {
    assertThat(upstream.drain()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/allowed/../forbidden/x", "/allowed/%2e%2e/forbidden/x", "/allowed/%2E%2E/forbidden/x",
      "/allowed/.%2e/forbidden/x", "/allowed/./../forbidden/x", "/allowed/sub/../../forbidden/x"})
  void dotSegmentsAreResolvedBeforeJudging(String path) {
    TestGateway.Response r = gateway.get(path, user);

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("route")).isEqualTo("forbidden");
  }

  @Test
  void whatWasJudgedIsWhatTheUpstreamReceives() {
    assertThat(gateway.get("/allowed/../forbidden/x", admin).status()).isEqualTo(200);
    assertThat(upstream.take().uri()).isEqualTo("/forbidden/x");

    assertThat(gateway.get("/allowed//a///b?q=1&r=%2F", user).status()).isEqualTo(200);
    assertThat(upstream.take().uri()).isEqualTo("/allowed/a/b?q=1&r=%2F");

    assertThat(gateway.get("/allowed/caf%c3%a9/%7Bid%7D", user).status()).isEqualTo(200);
    assertThat(upstream.take().uri()).isEqualTo("/allowed/caf%C3%A9/%7Bid%7D");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/allowed/..%2fforbidden/x", "/allowed/..%2Fforbidden/x", "/allowed/..%5cforbidden/x",
      "/allowed/%252e%252e/forbidden/x", "/allowed;x=1/../forbidden/x", "/allowed/%3b/x", "/allowed/%00/x",
      "/allowed/%0d%0aX-Injected:%201", "/allowed/%c0%ae%c0%ae/forbidden", "/allowed/%zz", "/../forbidden/x",
      "/allowed/../../forbidden/x"})
  void ambiguousPathsAreRefused(String path) {
    TestGateway.Response r = gateway.get(path, admin);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("reason")).isEqualTo("path-rejected");
  }

  @Test
  void rawBackslashIsRefused() throws Exception {
    String raw = RawHttps.exchange(gateway.port(),
        "GET /allowed/..\\forbidden/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + admin + "\r\nConnection: close\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(400);
  }

  @Test
  void absoluteFormTargetForAnotherHostIsRefused() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET https://internal.example/forbidden/x HTTP/1.1\r\n"
        + "Host: localhost\r\nAuthorization: Bearer " + admin + "\r\nConnection: close\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(400);
  }

  @Test
  void absoluteFormTargetForTheSameHostIsServed() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET https://localhost/allowed/x HTTP/1.1\r\n"
        + "Host: localhost\r\nAuthorization: Bearer " + user + "\r\nConnection: close\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(200);
    assertThat(upstream.take().uri()).isEqualTo("/allowed/x");
  }

  @Test
  void twoHostHeadersAreRefused() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nHost: other\r\n"
        + "Authorization: Bearer " + user + "\r\nConnection: close\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(400);
  }

  @Test
  void caseChangedPathsDoNotMatchAnotherRoutesRules() {
    assertThat(gateway.get("/FORBIDDEN/x", user).status()).isEqualTo(404);
    assertThat(gateway.get("/Allowed/x", user).status()).isEqualTo(404);
  }

  @Test
  void spoofedIdentityAndForwardingHeadersNeverReachTheUpstream() throws Exception {
    Map<String, String> spoofed = new LinkedHashMap<>();
    spoofed.put("Authorization", "Bearer " + user);
    spoofed.put("X-Forwarded-User", "ada");
    spoofed.put("X-Forwarded-Email", "ada@example.com");
    spoofed.put("X-Forwarded-Groups", "admins");
    spoofed.put("X-Forwarded-Tenant", "globex");
    spoofed.put("X-Forwarded-For", "10.0.0.1");
    spoofed.put("X-Forwarded-Host", "internal.example");
    spoofed.put("X-Forwarded-Proto", "http");
    spoofed.put("X-Forwarded-Prefix", "/admin");
    spoofed.put("Forwarded", "for=10.0.0.1;host=internal.example");
    spoofed.put("X-Real-IP", "10.0.0.1");
    spoofed.put("X-Original-URL", "/forbidden/x");
    spoofed.put("X-Rewrite-URL", "/forbidden/x");
    spoofed.put("X-HTTP-Method-Override", "DELETE");
    spoofed.put("X-Gatehouse-Assertion", "forged");
    spoofed.put("X-Auth-Request-User", "ada");
    spoofed.put("Remote-User", "ada");

    assertThat(gateway.send(HttpMethod.GET, "/allowed/x", spoofed, null).status()).isEqualTo(200);

    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll("X-Forwarded-User")).containsExactly("ursula");
    assertThat(seen.getAll("X-Forwarded-Groups")).containsExactly("staff");
    assertThat(seen.getAll("X-Forwarded-For")).containsExactly("127.0.0.1");
    assertThat(seen.getAll("X-Forwarded-Host")).containsExactly("localhost");
    assertThat(seen.getAll("X-Forwarded-Proto")).containsExactly("https");
    for (String gone : List.of("X-Forwarded-Email", "X-Forwarded-Tenant", "X-Forwarded-Prefix", "Forwarded", "X-Real-IP",
        "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override", "X-Auth-Request-User", "Remote-User",
        "Authorization")) {
      assertThat(seen.get(gone)).as(gone).isNull();
    }
    assertThat(seen.getAll("X-Gatehouse-Assertion")).hasSize(1).doesNotContain("forged");
    assertThat(app("allowed").verify(seen.get("X-Gatehouse-Assertion")).getSubject()).isEqualTo("ursula");
  }

  @Test
  void headerNamesThatServersFoldTogetherAreStrippedToo() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + user + "\r\n"
        + "X_Forwarded_User: ada\r\nx-forwarded-user: ada\r\nX-FORWARDED-GROUPS: admins\r\nX_Real_IP: 10.0.0.1\r\n"
        + "Connection: close\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll("X-Forwarded-User")).containsExactly("ursula");
    assertThat(seen.getAll("X-Forwarded-Groups")).containsExactly("staff");
    assertThat(seen.names()).noneMatch(n -> n.contains("_"));
  }

  @Test
  void theConnectionHeaderCannotRemoveTheGatewaysHeaders() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + user + "\r\n"
        + "Connection: close, X-Forwarded-User, X-Forwarded-For, X-Request-Id, X-Forwarded-Groups, "
        + "X-Gatehouse-Assertion, traceparent\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.get("X-Forwarded-User")).isEqualTo("ursula");
    assertThat(seen.get("X-Forwarded-For")).isEqualTo("127.0.0.1");
    assertThat(seen.get("X-Forwarded-Groups")).isEqualTo("staff");
    assertThat(seen.get("X-Request-Id")).hasSize(32);
    assertThat(seen.get("traceparent")).startsWith("00-" + seen.get("X-Request-Id") + "-");
    assertThat(app("allowed").verify(seen.get("X-Gatehouse-Assertion")).getSubject()).isEqualTo("ursula");
  }

  @Test
  void spoofedAssertionsInAnyLetterCaseOrWithUnderscoresNeverReachTheUpstream() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + user + "\r\n"
        + "X-Gatehouse-Assertion: forged-1\r\nx-gatehouse-assertion: forged-2\r\nX-GATEHOUSE-ASSERTION: forged-3\r\n"
        + "X_Gatehouse_Assertion: forged-4\r\nx_gatehouse_assertion: forged-5\r\nX-Gatehouse-Assertion_: forged-6\r\n"
        + "TraceParent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-oops\r\ntracestate: a=b\r\n"
        + "Connection: close\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll("X-Gatehouse-Assertion")).hasSize(1).noneMatch(v -> v.startsWith("forged"));
    assertThat(app("allowed").verify(seen.get("X-Gatehouse-Assertion")).getSubject()).isEqualTo("ursula");
    assertThat(seen.getAll("traceparent")).singleElement().asString().startsWith("00-" + seen.get("X-Request-Id"));
    assertThat(seen.get("tracestate")).as("tracestate of an invalid traceparent").isNull();
    assertThat(seen.names()).noneMatch(n -> n.contains("_")).noneMatch(n -> n.equalsIgnoreCase("X-Gatehouse-Assertion-"));
    assertThat(seen.entries()).noneMatch(e -> e.getValue().startsWith("forged"));
  }

  @Test
  void theGatewaysCookiesAreNotForwardedAndTheAppsAre() {
    gateway.send(HttpMethod.GET, "/allowed/x", Map.of("Authorization", "Bearer " + user,
        "Cookie", "theme=dark; __Host-gatehouse-session=secret; lang=en; gatehouse-csrf=x"), null);

    assertThat(upstream.take().headers().getAll("Cookie")).containsExactly("theme=dark; lang=en");
  }

  @Test
  void headersTheClientNominatedAsHopByHopAreNotForwarded() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + user + "\r\nX-Debug-Token: 1\r\nKeep-Alive: timeout=5\r\n"
        + "Connection: close, X-Debug-Token\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.get("X-Debug-Token")).isNull();
    assertThat(seen.get("Keep-Alive")).isNull();
  }

  @Test
  void aClientRequestIdIsKeptOnlyInItsOwnHeader() {
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/allowed/x",
        Map.of("Authorization", "Bearer " + user, "X-Request-Id", "client-chosen-id"), null);

    MultiMap seen = upstream.take().headers();
    assertThat(seen.get("X-Request-Id")).isEqualTo(r.header("X-Request-Id")).isNotEqualTo("client-chosen-id");
    assertThat(seen.get("X-Client-Request-Id")).isEqualTo("client-chosen-id");
  }

  @Test
  void http2RequestsCarryTheSameIdentityHeaders() throws Exception {
    TestGateway.Response r = gateway.sendHttp2(HttpMethod.GET, "/allowed/x",
        Map.of("Authorization", "Bearer " + admin, "X-Forwarded-User", "someone-else", "x_gatehouse_assertion", "forged",
            "cookie", "__Host-gatehouse-session=secret"));

    assertThat(r.status()).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll("X-Forwarded-User")).containsExactly("ada");
    assertThat(seen.getAll("X-Gatehouse-Assertion")).hasSize(1);
    assertThat(app("allowed").verify(seen.get("X-Gatehouse-Assertion")).getSubject()).isEqualTo("ada");
    assertThat(seen.get("Cookie")).isNull();
    assertThat(seen.get("X-Forwarded-Email")).isEqualTo("ada@example.com");
    assertThat(seen.get("X-Forwarded-Tenant")).isEqualTo("acme");
  }
}

package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.gatehouse.audit.AccessEvent;
import dev.gatehouse.audit.EventLogStats;
import dev.gatehouse.testing.RawHttps;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariants 7 and 8 through a running gateway: exactly one access event per request whatever its outcome, with
 * secrets redacted and no credential ever written; what happens when the log cannot be written; what a trusted
 * front proxy may (and may not) do.
 */
class AccessLogIT {

  static final String MORE_ROUTES = """
      routes:
        - id: dead
          path: /dead/**
          upstream: http://127.0.0.1:9
          public: true
        - id: slow
          path: /slow/**
          upstream: ${SILENT}
          public: true
      """;

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static RecordingUpstream silent;
  static TestIdp idp;
  static TestGateway gateway;
  static String finance;
  static String staff;
  static final ExecutorService threads = Executors.newFixedThreadPool(6);

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    silent = RecordingUpstream.start(upstreamVertx);
    silent.behave((request, body) -> { }); // never answers: the gateway times out
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .policy("more.yaml", MORE_ROUTES.replace("${SILENT}", silent.url()))
        .section("upstreams", "responseTimeout: 500ms").start();
    finance = idp.token("alice", Map.of("groups", List.of("finance"), "email", "alice@example.com", "tenant", "acme"));
    staff = idp.token("ursula", Map.of("groups", List.of("staff")));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    silent.close();
    upstreamVertx.close();
    threads.shutdownNow();
  }

  @BeforeEach
  void forgetEarlierRequests() {
    upstream.drain();
  }

  /** What a client saw, and what the access event must say about it. */
  record Outcome(String requestId, int status, String decision, String reason) {}

  @Test
  void concurrentRequestsOfEveryOutcomeLeaveExactlyOneAccessEventEach() throws Exception {
    List<CompletableFuture<Outcome>> sent = new ArrayList<>();
    HttpClient h1 = upstreamVertx.createHttpClient(TestGateway.clientOptions().setProtocolVersion(HttpVersion.HTTP_1_1),
        new PoolOptions().setHttp1MaxSize(8));
    HttpClient h2 = upstreamVertx.createHttpClient(TestGateway.clientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setUseAlpn(true));
    WebSocketClient ws = upstreamVertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(TestPki.ca().certificate().toString())));
    Collector streamed = new Collector();
    try (var subscription = gateway.gateway().events().subscribe(e -> e instanceof AccessEvent, threads, streamed)) {
      for (int i = 0; i < 10; i++) {
        sent.add(http(h1, "/billing/invoices?page=" + i, finance, "allow", "allowed"));
      }
      for (int i = 0; i < 3; i++) {
        sent.add(http(h2, "/billing/invoices", finance, "allow", "allowed"));
        sent.add(http(h1, "/public/status", null, "allow", "public-route"));
        sent.add(http(h1, "/billing/invoices", staff, "deny", "permission-missing"));
        sent.add(http(h1, "/billing/invoices", null, "deny", "credential-missing"));
        sent.add(http(h1, "/billing/invoices", "not.a.jwt", "deny", "token-invalid"));
        sent.add(http(h1, "/nowhere", finance, "deny", "route-not-found"));
        sent.add(http(h2, "/allowed/..%2fforbidden", staff, "deny", "path-rejected"));
        sent.add(http(h1, "/dead/x", null, "allow", "upstream-unavailable"));
      }
      sent.add(http(h1, "/slow/x", null, "allow", "upstream-timeout"));
      for (int i = 0; i < 2; i++) {
        sent.add(webSocket(ws, staff));
        sent.add(raw("THIS IS NOT HTTP\r\n\r\n", "bad-request"));
        sent.add(raw("GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
            "headers-too-large"));
        sent.add(raw("GET /allowed/" + "a".repeat(9000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", "uri-too-long"));
      }
      int n = sent.size();
      List<Outcome> outcomes = new ArrayList<>();
      for (CompletableFuture<Outcome> f : sent) {
        outcomes.add(f.get(30, TimeUnit.SECONDS));
      }

      // every request's event arrives through the live stream (after it was written); then the file must hold
      // exactly those
      streamed.expect(n).get(30, TimeUnit.SECONDS);
      List<JsonObject> events = gateway.newEvents();

      assertThat(events).hasSize(n);
      assertThat(streamed.lines).hasSize(n);
      assertThat(events).extracting(JsonObject::encode).containsExactlyInAnyOrderElementsOf(
          streamed.lines.stream().map(l -> new JsonObject(l).encode()).toList());
      Map<String, JsonObject> byId = events.stream().collect(Collectors.toMap(e -> e.getString("request_id"),
          Function.identity()));
      assertThat(byId).as("request ids are unique").hasSize(n);
      for (Outcome o : outcomes) {
        JsonObject e = byId.get(o.requestId());
        assertThat(e).as("the event of request %s", o).isNotNull();
        assertThat(e.getInteger("status")).as("status of %s", o).isEqualTo(o.status());
        assertThat(e.getString("decision")).as("decision of %s", o).isEqualTo(o.decision());
        assertThat(e.getString("reason")).as("reason of %s", o).isEqualTo(o.reason());
      }
      assertThat(events).extracting(e -> e.getString("http_version")).contains("1.1", "2");
      assertThat(events).filteredOn(e -> "websocket".equals(e.getString("upgrade"))).hasSize(2)
          .allSatisfy(e -> assertThat(e.getString("subject")).isEqualTo("ursula"));
      assertThat(subscription.missed()).isZero();
      String log = logText();
      assertThat(log).doesNotContain(finance).doesNotContain(staff).doesNotContain("not.a.jwt");
    } finally {
      h1.close();
      h2.close();
      ws.close();
      upstream.drain();
    }
  }

  /** Collects streamed lines and completes once it has the number it was told to expect. */
  static final class Collector implements dev.gatehouse.audit.EventSubscriber {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Void> reached = new CompletableFuture<>();
    private volatile int expected = Integer.MAX_VALUE;

    @Override
    public void onEvent(String line) {
      lines.add(line);
      check();
    }

    CompletableFuture<Void> expect(int n) {
      expected = n;
      check();
      return reached;
    }

    private void check() {
      if (lines.size() >= expected) {
        reached.complete(null);
      }
    }
  }

  @Test
  void secretQueryValuesAreRedactedAndNoCredentialOrCookieIsEverLogged() throws Exception {
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/allowed/x?code=abc123secret&token=tok456secret&page=2",
        Map.of("Authorization", "Bearer " + staff, "Cookie", "session=cookie789secret; theme=dark",
            "Proxy-Authorization", "Basic cHJveHk6c2VjcmV0"), null);
    assertThat(r.status()).isEqualTo(200);
    upstream.take();
    String raw = RawHttps.exchange(gateway.port(), "GET /billing/x?password=pw000secret HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + finance + "\r\nCookie: __Host-session=cookie000secret\r\nX-Big: "
        + "b".repeat(20_000) + "\r\n\r\n");
    assertThat(RawHttps.status(raw)).isEqualTo(431);

    List<JsonObject> events = gateway.newEvents();

    JsonObject event = events.stream().filter(e -> e.getString("path").equals("/allowed/x")).findFirst().orElseThrow();
    assertThat(event.getString("query")).isEqualTo("code=[REDACTED]&token=[REDACTED]&page=2");
    assertThat(event.getString("subject")).isEqualTo("ursula");
    assertThat(event.getString("auth_method")).isEqualTo("bearer");
    String log = logText();
    for (String secret : List.of(staff, finance, "abc123secret", "tok456secret", "cookie789secret", "theme=dark",
        "cHJveHk6c2VjcmV0", "pw000secret", "cookie000secret")) {
      assertThat(log).as("the log contains " + secret).doesNotContain(secret);
    }
    assertThat(log).doesNotContainIgnoringCase("authorization").doesNotContainIgnoringCase("\"cookie");
  }

  @Test
  void anAddressReportedByAnUntrustedPeerIsNotLogged() {
    gateway.send(HttpMethod.GET, "/public/x", Map.of("X-Forwarded-For", "203.0.113.7"), null);
    upstream.take();

    JsonObject event = gateway.newEvents().get(0);

    assertThat(event.getString("client_address")).isEqualTo("127.0.0.1");
    assertThat(event.containsKey("forwarded_for")).as("loopback is not a trusted proxy unless configured").isFalse();
  }

  @Test
  void aTrustedFrontProxyInformsTheLoggedAddressButNeverAuthentication() {
    try (TestGateway behindProxy = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("accessLog", "stdout: false\nfile: access.log\ntrustedProxies: [127.0.0.1/32]").start()) {
      TestGateway.Response refused = behindProxy.send(HttpMethod.GET, "/billing/invoices",
          Map.of("X-Forwarded-For", "203.0.113.7", "Forwarded", "for=203.0.113.8"), null);
      TestGateway.Response served = behindProxy.send(HttpMethod.GET, "/allowed/x",
          Map.of("Authorization", "Bearer " + staff, "X-Forwarded-For", "203.0.113.9"), null);

      assertThat(refused.status()).isEqualTo(401);
      assertThat(served.status()).isEqualTo(200);
      assertThat(upstream.take().headers().getAll("X-Forwarded-For")).as("the app still gets the TCP peer")
          .containsExactly("127.0.0.1");
      List<JsonObject> events = behindProxy.newEvents();
      assertThat(events).extracting(e -> e.getString("client_address")).containsOnly("127.0.0.1");
      assertThat(events).extracting(e -> e.getString("forwarded_for")).containsExactly("203.0.113.8", "203.0.113.9");
    }
  }

  @Test
  void whenTheLogCannotBeWrittenRequestsAreRefusedAndNothingReachesTheUpstream() {
    assumeThat(Path.of("/dev/full")).exists();
    try (TestGateway unaudited = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("accessLog", "stdout: false\nfile: /dev/full").start()) {
      EventLogStats stats = unaudited.gateway().events().stats();
      assertThat(stats.writable()).isFalse();

      TestGateway.Response r = unaudited.get("/allowed/x", staff);
      TestGateway.Response publicRoute = unaudited.get("/public/x", null);

      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().getString("reason")).isEqualTo("audit-unavailable");
      assertThat(publicRoute.status()).isEqualTo(503);
      assertThat(upstream.drain()).as("an unaudited request is not served").isEmpty();
      unaudited.awaitEvents();
      assertThat(stats.lost()).isGreaterThanOrEqualTo(3);
      assertThat(stats.writeFailures()).isPositive();
    }
  }

  @Test
  void withTheServeSettingRequestsPassAndTheLossIsCounted() {
    assumeThat(Path.of("/dev/full")).exists();
    try (TestGateway unaudited = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("accessLog", "stdout: false\nfile: /dev/full\nonFailure: serve").start()) {
      EventLogStats stats = unaudited.gateway().events().stats();
      long lostBefore = stats.lost();

      TestGateway.Response r = unaudited.get("/allowed/x", staff);

      assertThat(r.status()).isEqualTo(200);
      assertThat(upstream.take().uri()).isEqualTo("/allowed/x");
      unaudited.awaitEvents();
      assertThat(stats.writable()).isFalse();
      assertThat(stats.lost()).isGreaterThan(lostBefore);
    }
  }

  private static CompletableFuture<Outcome> http(HttpClient client, String uri, String token, String decision,
      String reason) {
    RequestOptions options = new RequestOptions().setHost("localhost").setPort(gateway.port()).setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    Future<Outcome> f = client.request(options).compose(req -> req.send().compose(resp -> resp.body()
        .map(body -> new Outcome(resp.getHeader("X-Request-Id"), resp.statusCode(), decision, reason))));
    return f.toCompletionStage().toCompletableFuture();
  }

  private static CompletableFuture<Outcome> webSocket(WebSocketClient client, String token) {
    return client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.port())
            .setURI("/allowed/socket").addHeader("Authorization", "Bearer " + token))
        .compose(socket -> {
          String id = socket.headers().get("X-Request-Id");
          return socket.close().map(v -> new Outcome(id, 101, "allow", "allowed"));
        })
        .toCompletionStage().toCompletableFuture();
  }

  private static final Pattern REQUEST_ID = Pattern.compile("(?im)^x-request-id: *(\\S+)");

  private static CompletableFuture<Outcome> raw(String request, String reason) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        String response = RawHttps.exchange(gateway.port(), request);
        Matcher m = REQUEST_ID.matcher(response);
        return new Outcome(m.find() ? m.group(1) : "none: " + response, RawHttps.status(response), "deny", reason);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, threads);
  }

  private static String logText() throws Exception {
    gateway.awaitEvents();
    StringBuilder sb = new StringBuilder();
    for (Path p : gateway.logFiles()) {
      sb.append(Files.readString(p));
    }
    return sb.toString();
  }
}

package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import dev.gatehouse.tls.DevCertificates;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin listener: probes for anyone, everything else only with a client certificate from the admin CA. */
class AdminIT {

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;
  static HttpClient anonymous;
  static HttpClient operator;
  static HttpClient intruder;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("admin", "host: 127.0.0.1\nport: 0\nclientCa: " + TestPki.ca().certificate()).start();
    anonymous = vertx.createHttpClient(TestGateway.clientOptions());
    operator = vertx.createHttpClient(TestGateway.clientOptions().setKeyCertOptions(keyCert(TestPki.client("operator"))));
    intruder = vertx.createHttpClient(TestGateway.clientOptions().setKeyCertOptions(keyCert(TestPki.foreignClient())));
  }

  static PemKeyCertOptions keyCert(DevCertificates.Issued issued) {
    return new PemKeyCertOptions().setCertPath(issued.certificate().toString()).setKeyPath(issued.key().toString());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  record Answer(int status, String body, String contentType) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** body() is asked for in send()'s own callback: one chained step later, the body can already be gone. */
  static Answer call(HttpClient client, HttpMethod method, String path) throws Exception {
    return client.request(new RequestOptions().setMethod(method).setHost("localhost").setPort(gateway.gateway().adminPort())
            .setURI(path))
        .compose(request -> request.send()
            .compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toString(), r.getHeader("Content-Type")))))
        .await(30, TimeUnit.SECONDS);
  }

  @Test
  void healthAndReadinessAnswerWithoutACertificate() throws Exception {
    Answer health = call(anonymous, HttpMethod.GET, "/healthz");
    Answer ready = call(anonymous, HttpMethod.GET, "/readyz");

    assertThat(health.status()).isEqualTo(200);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getBoolean("ready")).isTrue();
  }

  @Test
  void everythingElseNeedsAClientCertificate() throws Exception {
    for (String path : List.of("/metrics", "/policy", "/jwks.json", "/events")) {
      Answer a = call(anonymous, HttpMethod.GET, path);
      assertThat(a.status()).as(path).isEqualTo(403);
      assertThat(a.json().getString("reason")).isEqualTo("client-certificate-required");
    }
    assertThat(call(anonymous, HttpMethod.POST, "/policy/reload").status()).isEqualTo(403);
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedDuringTheHandshake() {
    assertThatThrownBy(() -> call(intruder, HttpMethod.GET, "/metrics")).isInstanceOf(Exception.class);
  }

  @Test
  void metricsParseAsPrometheusTextAndTheRequestCounterMovesWithTraffic() throws Exception {
    String token = idp.token("fiona", Map.of("groups", List.of("finance")));
    double before = requests(call(operator, HttpMethod.GET, "/metrics").body(), "billing", "allow");

    for (int i = 0; i < 3; i++) {
      assertThat(gateway.get("/billing/invoices", token).status()).isEqualTo(200);
      upstream.take();
    }
    gateway.awaitEvents();

    Answer metrics = call(operator, HttpMethod.GET, "/metrics");
    assertThat(metrics.contentType()).startsWith("text/plain; version=0.0.4");
    for (String line : metrics.body().split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        assertThat(line).as("exposition line").matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? \\S+");
      }
    }
    assertThat(requests(metrics.body(), "billing", "allow") - before).isEqualTo(3.0);
    assertThat(metrics.body()).contains("gateway_request_duration_seconds_bucket{route=\"billing\"")
        .contains("gateway_tokens_total{outcome=\"verified\"}").contains("gateway_policy_version{version=\"")
        .contains("gateway_tls_certificate_expiry_seconds").contains("gateway_events_written_total")
        .contains("gateway_connections_open").contains("jvm_memory_used_bytes").contains("gateway_jwks_fetches_total");
  }

  static double requests(String metrics, String route, String decision) {
    Matcher m = Pattern.compile("gateway_requests_total\\{([^}]*)} (\\S+)").matcher(metrics);
    double total = 0;
    while (m.find()) {
      if (m.group(1).contains("route=\"" + route + "\"") && m.group(1).contains("decision=\"" + decision + "\"")) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  @Test
  void thePolicyInForceIsShownWithFilesAndDigests() throws Exception {
    JsonObject policy = call(operator, HttpMethod.GET, "/policy").json();

    assertThat(policy.getString("version")).isEqualTo(gateway.gateway().policyStatus().version());
    assertThat(policy.getJsonArray("files").getJsonObject(0).getString("name")).isEqualTo("saas.yaml");
    assertThat(policy.getJsonArray("files").getJsonObject(0).getString("sha256")).hasSize(64);
  }

  @Test
  void aReloadCanBeTriggeredAndIsAnAuditedAdminAction() throws Exception {
    Answer a = call(operator, HttpMethod.POST, "/policy/reload");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().getString("result")).isEqualTo("unchanged");
    gateway.awaitEvents();
    JsonObject action = gateway.events().stream().filter(e -> "admin_action".equals(e.getString("type")))
        .reduce((x, y) -> y).orElseThrow();
    assertThat(action.getString("actor")).contains("CN=operator");
    assertThat(action.getString("action")).isEqualTo("policy-reload");
    JsonObject access = gateway.events().stream().filter(e -> "admin_access".equals(e.getString("type"))
        && "/policy/reload".equals(e.getString("path")) && e.getInteger("status") == 200).reduce((x, y) -> y).orElseThrow();
    assertThat(access.getString("client_certificate")).contains("CN=operator");
  }

  @Test
  void theAdminJwksIsThePublicOne() throws Exception {
    Answer admin = call(operator, HttpMethod.GET, "/jwks.json");

    assertThat(new JsonObject(admin.body())).isEqualTo(new JsonObject(gateway.get("/.gatehouse/jwks.json", null).body()));
  }

  @Test
  void theLiveStreamDeliversMatchingAccessEventsAsTheyHappen() throws Exception {
    Promise<String> seen = Promise.promise();
    StringBuilder received = new StringBuilder();
    HttpClientResponse stream = openStream("/events?route=billing&decision=deny", received,
        line -> line.contains("\"subject\":\"mallory\""), seen);
    assertThat(stream.getHeader("Content-Type")).isEqualTo("text/event-stream");

    gateway.get("/public/x", null); // another route: filtered out
    upstream.take();
    assertThat(gateway.get("/billing/invoices", idp.token("mallory", Map.of())).status()).isEqualTo(403);

    JsonObject event = new JsonObject(seen.future().await(10, TimeUnit.SECONDS));
    assertThat(event.getString("route_id")).isEqualTo("billing");
    assertThat(event.getString("decision")).isEqualTo("deny");
    synchronized (received) {
      assertThat(received.toString()).doesNotContain("\"route_id\":\"public\"");
    }

    // a client that leaves the stream is recorded as an admin_access event, seen here on a second stream
    Promise<String> left = Promise.promise();
    HttpClientResponse watcher = openStream("/events?type=admin_access", new StringBuilder(),
        line -> line.contains("\"path\":\"/events\"") && line.contains("\"reason\":\"client-aborted\""), left);
    stream.request().connection().close();
    JsonObject leaving = new JsonObject(left.future().await(10, TimeUnit.SECONDS));
    assertThat(leaving.getString("query")).isEqualTo("route=billing&decision=deny");
    assertThat(leaving.getString("client_certificate")).contains("CN=operator");
    watcher.request().connection().close();
  }

  @Test
  void unknownPathsAndWrongMethodsAnswerWithAReasonAndTheRequestId() throws Exception {
    Answer missing = call(operator, HttpMethod.GET, "/nothing-here");
    Answer wrongMethod = call(operator, HttpMethod.GET, "/policy/reload");

    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getString("reason")).isEqualTo("route-not-found");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.json().getString("reason")).isEqualTo("method-not-allowed");
    assertThat(wrongMethod.json().getString("message")).isEqualTo("a policy reload is a POST");
    JsonObject event = gateway.events().stream().filter(e -> "admin_access".equals(e.getString("type"))
        && wrongMethod.json().getString("request_id").equals(e.getString("request_id"))).findFirst().orElseThrow();
    assertThat(event.getInteger("status")).isEqualTo(405);
    assertThat(event.getString("reason")).isEqualTo("method-not-allowed");
  }

  @Test
  void aViewerThatCannotKeepUpIsToldHowManyEventsItMissed() throws Exception {
    int denials = 2_000;
    // HTTP/2: a paused reader stops the stream within its flow-control window, whatever the socket buffers hold
    HttpClient slowViewer = vertx.createHttpClient(TestGateway.clientOptions()
        .setKeyCertOptions(keyCert(TestPki.client("operator"))).setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true));
    StringBuilder received = new StringBuilder();
    Promise<Void> accountedFor = Promise.promise();
    HttpClientResponse stream = slowViewer.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost")
            .setPort(gateway.gateway().adminPort()).setURI("/events?type=access&route=billing&decision=deny"))
        .compose(request -> request.send().map(r -> r.handler(chunk -> {
          synchronized (received) {
            received.append(chunk.toString());
            if (delivered(received) + missed(received) == denials) {
              accountedFor.tryComplete();
            }
          }
        })))
        .await(10, TimeUnit.SECONDS);
    try {
      stream.pause();
      for (int i = 0; i < denials; i++) {
        assertThat(gateway.get("/billing/invoices", null).status()).isEqualTo(401);
      }
      stream.resume();

      try {
        accountedFor.future().await(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        synchronized (received) {
          throw new AssertionError("of " + denials + " events, " + delivered(received) + " delivered and "
              + missed(received) + " reported missed");
        }
      }
      synchronized (received) {
        assertThat(missed(received)).as("a paused viewer misses events").isPositive();
        assertThat(delivered(received)).as("and gets the rest").isPositive();
      }
    } finally {
      slowViewer.close();
    }
  }

  static int delivered(CharSequence stream) {
    return (int) Pattern.compile("^data: ", Pattern.MULTILINE).matcher(stream).results().count();
  }

  static long missed(CharSequence stream) {
    return Pattern.compile("^: missed (\\d+) events$", Pattern.MULTILINE).matcher(stream).results()
        .mapToLong(m -> Long.parseLong(m.group(1))).sum();
  }

  /** Opens a live stream as the operator; completes {@code found} with the first data line {@code wanted} accepts. */
  private static HttpClientResponse openStream(String uri, StringBuilder received,
      java.util.function.Predicate<String> wanted, Promise<String> found) throws Exception {
    return operator.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost")
            .setPort(gateway.gateway().adminPort()).setURI(uri))
        // the handler is set in send()'s own callback, before any of the body can arrive
        .compose(request -> request.send().map(r -> r.handler(chunk -> {
          synchronized (received) {
            received.append(chunk.toString());
            for (String line : received.toString().split("\n")) {
              if (line.startsWith("data: ") && wanted.test(line)) {
                found.tryComplete(line.substring(6));
              }
            }
          }
        })))
        .await(10, TimeUnit.SECONDS);
  }


}

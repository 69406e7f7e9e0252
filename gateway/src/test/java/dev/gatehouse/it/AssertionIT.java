package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import dev.gatehouse.testing.AppVerifier;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an app behind the gateway receives: a signed assertion it can verify with the gateway's published keys (fetched
 * over HTTPS, as an app would), the plain identity headers its route asks for, and a trace context that matches the
 * access event. Also the gateway's own endpoints under /.gatehouse/.
 */
class AssertionIT {

  static final String ASSERTION = "X-Gatehouse-Assertion";
  static final String ISSUER = "gatehouse-test";

  static final String POLICY = """
      permissions:
        billing:
          grantedTo: [finance]
      routes:
        - id: billing
          path: /billing/**
          upstream: ${UPSTREAM}
          allow:
            - name: finance-staff
              permissions: [billing]
        - id: allowed
          path: /allowed/**
          upstream: ${UPSTREAM}
          allow:
            - authenticated: true
        - id: reports
          path: /reports/**
          upstream: ${UPSTREAM}
          audience: https://reports.example.com
          identityHeaders: [user]
          allow:
            - authenticated: true
        - id: quiet
          path: /quiet/**
          upstream: ${UPSTREAM}
          identityHeaders: false
          allow:
            - authenticated: true
        - id: public
          path: /public/**
          upstream: ${UPSTREAM}
          public: true
        - id: everything-else
          path: /**
          upstream: ${UPSTREAM}
          public: true
      """;

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static MutableClock clock;
  static TestGateway gateway;
  static String alice;
  static long aliceAuthTime;

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    clock = new MutableClock();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).clock(clock).policy("assertions.yaml", POLICY).start();
    aliceAuthTime = Instant.now().minus(Duration.ofMinutes(5)).getEpochSecond();
    alice = idp.token("alice", Map.of("groups", List.of("finance", "support"), "email", "alice@example.com",
        "tenant", "acme", "amr", List.of("pwd", "otp"), "acr", "urn:example:mfa", "auth_time", aliceAuthTime));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  @AfterEach
  void nothingElseReachedTheUpstream() {
    assertThat(upstream.drain()).isEmpty();
  }

  static AppVerifier app(String audience) {
    return new AppVerifier(gateway.port(), ISSUER, audience, clock, 0);
  }

  @Test
  void theAppReceivesAnAssertionThatVerifiesAgainstThePublishedKeys() throws Exception {
    Instant sent = clock.instant();
    TestGateway.Response r = gateway.get("/billing/invoices", alice);

    assertThat(r.status()).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll(ASSERTION)).hasSize(1);
    JWTClaimsSet claims = app("billing").verify(seen.get(ASSERTION));
    assertThat(claims.getIssuer()).isEqualTo(ISSUER);
    assertThat(claims.getAudience()).containsExactly("billing");
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getStringClaim("email")).isEqualTo("alice@example.com");
    assertThat(claims.getStringListClaim("groups")).containsExactly("finance", "support");
    assertThat(claims.getStringClaim("tenant")).isEqualTo("acme");
    assertThat(claims.getStringListClaim("amr")).containsExactly("pwd", "otp");
    assertThat(claims.getStringClaim("acr")).isEqualTo("urn:example:mfa");
    assertThat(claims.getLongClaim("auth_time")).isEqualTo(aliceAuthTime);
    assertThat(claims.getStringListClaim("permissions")).containsExactly("billing");
    assertThat(claims.getStringClaim("route")).isEqualTo("billing");
    assertThat(claims.getStringClaim("rid")).isEqualTo(r.header("X-Request-Id")).isEqualTo(seen.get("X-Request-Id"));
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.ofEpochSecond(sent.getEpochSecond()));
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(claims.getIssueTime().toInstant().plusSeconds(60));
    assertThat(claims.getJWTID()).matches("[0-9a-f]{32}");
    assertThat(SignedJWT.parse(seen.get(ASSERTION)).getHeader().getType().getType()).isEqualTo("gatehouse-assertion+jwt");
    assertThat(seen.get("X-Forwarded-User")).isEqualTo("alice");
    assertThat(seen.get("X-Forwarded-Email")).isEqualTo("alice@example.com");
    assertThat(seen.get("X-Forwarded-Tenant")).isEqualTo("acme");
    assertThat(seen.get("Authorization")).isNull();
  }

  @Test
  void anAssertionFailsVerificationOnceItsExpiryHasPassed() throws Exception {
    assertThat(gateway.get("/allowed/x", alice).status()).isEqualTo(200);
    String assertion = upstream.take().headers().get(ASSERTION);
    AppVerifier app = app("allowed");

    clock.advance(Duration.ofSeconds(59));
    assertThat(app.verify(assertion).getSubject()).isEqualTo("alice");
    clock.advance(Duration.ofSeconds(1));
    BadJWTException expired = catchThrowableOfType(BadJWTException.class, () -> app.verify(assertion));

    assertThat(expired).hasMessage("Expired JWT");
  }

  @Test
  void anAssertionForOneRouteIsRefusedByTheAppOfAnother() throws Exception {
    assertThat(gateway.get("/allowed/x", alice).status()).isEqualTo(200);
    String assertion = upstream.take().headers().get(ASSERTION);

    BadJWTException wrongAudience = catchThrowableOfType(BadJWTException.class, () -> app("billing").verify(assertion));

    assertThat(wrongAudience).hasMessage("JWT aud claim rejected");
  }

  @Test
  void aRouteChoosesItsAudienceAndWhichPlainHeadersItGets() throws Exception {
    assertThat(gateway.get("/reports/q3", alice).status()).isEqualTo(200);
    MultiMap reports = upstream.take().headers();
    assertThat(gateway.get("/quiet/x", alice).status()).isEqualTo(200);
    MultiMap quiet = upstream.take().headers();

    assertThat(app("https://reports.example.com").verify(reports.get(ASSERTION)).getStringClaim("tenant"))
        .isEqualTo("acme");
    assertThat(reports.get("X-Forwarded-User")).isEqualTo("alice");
    assertThat(reports.names()).doesNotContain("X-Forwarded-Email", "X-Forwarded-Groups", "X-Forwarded-Tenant",
        "x-forwarded-email", "x-forwarded-groups", "x-forwarded-tenant");
    assertThat(app("quiet").verify(quiet.get(ASSERTION)).getSubject()).isEqualTo("alice");
    assertThat(quiet.names()).noneMatch(n -> n.toLowerCase().matches("x-forwarded-(user|email|groups|tenant)"));
  }

  @Test
  void anUnverifiedEmailIsNeitherAssertedNorSentAsAHeader() throws Exception {
    String token = idp.token("eve", Map.of("email", "ceo@example.com", "email_verified", false));

    assertThat(gateway.get("/allowed/x", token).status()).isEqualTo(200);

    MultiMap seen = upstream.take().headers();
    assertThat(app("allowed").verify(seen.get(ASSERTION)).getClaim("email")).isNull();
    assertThat(seen.get("X-Forwarded-Email")).isNull();
  }

  @Test
  void publicRoutesCarryNoIdentityAndNoAssertion() {
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/public/x",
        Map.of("Authorization", "Bearer " + alice, ASSERTION, "forged", "X-Forwarded-User", "alice"), null);

    assertThat(r.status()).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.get(ASSERTION)).isNull();
    assertThat(seen.get("X-Forwarded-User")).isNull();
    assertThat(seen.get("Authorization")).isNull();
  }

  @Test
  void theJwksIsPublishedAtAFixedPublicPathWithOneAccessEvent() throws Exception {
    assertThat(gateway.get("/allowed/x", alice).status()).isEqualTo(200);
    String kid = SignedJWT.parse(upstream.take().headers().get(ASSERTION)).getHeader().getKeyID();

    TestGateway.Response r = gateway.get("/.gatehouse/jwks.json", null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/jwk-set+json");
    assertThat(r.header("Cache-Control")).isEqualTo("max-age=300");
    JWKSet jwks = JWKSet.parse(r.body());
    assertThat(jwks.getKeys()).extracting(k -> k.getKeyID()).containsExactly(kid);
    assertThat(jwks.getKeys()).noneMatch(k -> k.isPrivate());
    assertThat(r.body()).isEqualTo(gateway.gateway().jwks());
    JsonObject event = gateway.eventOf(r.header("X-Request-Id"));
    assertThat(event.getString("path")).isEqualTo("/.gatehouse/jwks.json");
    assertThat(event.getInteger("status")).isEqualTo(200);
    assertThat(event.getString("reason")).isEqualTo("public-route");
  }

  @Test
  void theGatewayAnswersItsReservedPrefixBeforeAnyCatchAllRoute() {
    TestGateway.Response unknown = gateway.get("/.gatehouse/callback-not-yet", alice);
    TestGateway.Response dotted = gateway.get("/public/../.gatehouse/jwks.json", null);
    TestGateway.Response post = gateway.send(HttpMethod.POST, "/.gatehouse/jwks.json", Map.of(), Buffer.buffer("{}"));
    TestGateway.Response otherCase = gateway.get("/.GATEHOUSE/jwks.json", null);

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("reason")).isEqualTo("route-not-found");
    assertThat(dotted.status()).as("the canonical path is what is judged").isEqualTo(200);
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.json().getString("reason")).isEqualTo("method-not-allowed");
    assertThat(otherCase.status()).isEqualTo(404);
    for (TestGateway.Response r : List.of(unknown, dotted, post, otherCase)) {
      assertThat(gateway.eventOf(r.header("X-Request-Id")).getInteger("status")).isEqualTo(r.status());
    }
  }

  @Test
  void webSocketHandshakesCarryTheSameIdentityAndAssertion() throws Exception {
    WebSocketClient client = upstreamVertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true)
        .setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertPath(TestPki.ca().certificate().toString())));
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(gateway.port())
          .setURI("/allowed/socket").addHeader("Authorization", "Bearer " + alice)
          .addHeader(ASSERTION, "forged").addHeader("X-Forwarded-Groups", "admins")).await(10, TimeUnit.SECONDS);
      Future<Buffer> echoed = Future.future(p -> ws.handler(p::tryComplete));
      ws.writeTextMessage("ping");
      assertThat(echoed.await(10, TimeUnit.SECONDS).toString()).isEqualTo("ping");

      RecordingUpstream.Received seen = upstream.take();
      assertThat(seen.method()).isEqualTo("WEBSOCKET");
      assertThat(seen.headers().getAll(ASSERTION)).hasSize(1);
      JWTClaimsSet claims = app("allowed").verify(seen.headers().get(ASSERTION));
      assertThat(claims.getSubject()).isEqualTo("alice");
      assertThat(claims.getStringClaim("route")).isEqualTo("allowed");
      assertThat(seen.headers().getAll("X-Forwarded-User")).containsExactly("alice");
      assertThat(seen.headers().getAll("X-Forwarded-Groups")).hasSize(1).noneMatch(g -> g.contains("admins"));
      ws.close().await(10, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  @Test
  void http2RequestsCarryTheSameIdentityAndAssertion() throws Exception {
    TestGateway.Response r = gateway.sendHttp2(HttpMethod.GET, "/billing/h2",
        Map.of("Authorization", "Bearer " + alice, "x-gatehouse-assertion", "forged"));

    assertThat(r.status()).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll(ASSERTION)).hasSize(1);
    JWTClaimsSet claims = app("billing").verify(seen.get(ASSERTION));
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getStringListClaim("permissions")).containsExactly("billing");
    assertThat(claims.getStringClaim("rid")).isEqualTo(r.header("X-Request-Id"));
    assertThat(seen.getAll("X-Forwarded-User")).containsExactly("alice");
  }

  @Test
  void aValidTraceparentIsContinuedAndItsTraceIdIsInTheAccessEvent() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/allowed/trace", Map.of("Authorization", "Bearer " + alice,
        "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01", "tracestate", "vendor=abc"), null);

    assertThat(r.status()).isEqualTo(200);
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll("traceparent")).singleElement().asString()
        .matches("00-" + traceId + "-[0-9a-f]{16}-01").doesNotContain("00f067aa0ba902b7");
    assertThat(seen.getAll("tracestate")).containsExactly("vendor=abc");
    assertThat(gateway.eventOf(r.header("X-Request-Id")).getString("trace_id")).isEqualTo(traceId);
  }

  @Test
  void anInvalidTraceparentIsReplacedByATraceNamedAfterTheRequest() {
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/allowed/trace", Map.of("Authorization", "Bearer " + alice,
        "traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "tracestate", "vendor=abc"), null);

    assertThat(r.status()).isEqualTo(200);
    String requestId = r.header("X-Request-Id");
    MultiMap seen = upstream.take().headers();
    assertThat(seen.getAll("traceparent")).singleElement().asString().matches("00-" + requestId + "-[0-9a-f]{16}-01");
    assertThat(seen.get("tracestate")).isNull();
    assertThat(gateway.eventOf(requestId).getString("trace_id")).isEqualTo(requestId);
  }

  @Test
  void deniedRequestsAlsoRecordTheirTrace() {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/billing/x",
        Map.of("traceparent", "00-" + traceId + "-b7ad6b7169203331-00"), null);

    assertThat(r.status()).isEqualTo(401);
    assertThat(gateway.eventOf(r.header("X-Request-Id")).getString("trace_id")).isEqualTo(traceId);
  }
}

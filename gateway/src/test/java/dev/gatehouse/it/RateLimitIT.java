package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Abuse control through a running gateway: failed authentications per client address and per subject, and a route's
 * own rate limit per caller. Every refusal is 429 {@code rate-limited} with a Retry-After that is honest (a retry after
 * it, on the test's clock, is served). No test sleeps: the gateway's clock is moved by hand.
 */
class RateLimitIT {

  static final String METERED = """
      routes:
        - id: metered
          path: /metered/**
          upstream: ${UPSTREAM}
          rateLimit: {requests: 2, per: 1m}
          allow:
            - authenticated: true
        - id: open
          path: /open/**
          upstream: ${UPSTREAM}
          public: true
          rateLimit: {requests: 1, per: 10s, burst: 2}
      """;

  static final String RATE_LIMITS = """
      failedAuth:
        perAddress: {requests: 5, per: 1m}
        perSubject: {requests: 3, per: 1m}
      """;

  static final Map<String, Object> STAFF = Map.of("groups", List.of("staff"));

  static Vertx vertx;
  static RecordingUpstream upstream;
  static JwksServer idp;
  static MutableClock clock = new MutableClock();
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = JwksServer.start(vertx);
    gateway = TestGateway.builder().issuer(idp.issuer()).upstream(upstream).clock(clock)
        .issuerOptions("jwksMinRefreshInterval: 30s")
        .policy("saas.yaml", Policies.SAAS).policy("metered.yaml", METERED).section("rateLimits", RATE_LIMITS).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  @BeforeEach
  void everyBucketIsFull() {
    // every test starts from full buckets: more than the longest refill later (tokens stay valid for an hour)
    clock.advance(Duration.ofMinutes(2));
    upstream.drain();
    gateway.newEvents();
  }

  static String valid(String subject) {
    return idp.token(idp.currentKey(), subject, STAFF);
  }

  static String expired(String subject) {
    return idp.token(idp.currentKey(), subject, Map.of("exp", new Date(System.currentTimeMillis() - 3_600_000)));
  }

  static long retryAfter(TestGateway.Response r) {
    return Long.parseLong(r.header("Retry-After"));
  }

  @Test
  void anAddressThatKeepsFailingAuthenticationIsRefusedAndThenForgiven() {
    for (int i = 0; i < 5; i++) {
      assertThat(gateway.get("/allowed/x", "not.a.jwt").status()).isEqualTo(401);
    }

    TestGateway.Response limited = gateway.get("/allowed/x", "not.a.jwt");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().getString("reason")).isEqualTo("rate-limited");
    assertThat(retryAfter(limited)).isBetween(1L, 12L);

    // the address is refused before its token is looked at: a valid token from it waits too
    TestGateway.Response valid = gateway.get("/allowed/x", valid("ursula"));
    assertThat(valid.status()).isEqualTo(429);
    assertThat(upstream.drain()).isEmpty();

    clock.advance(Duration.ofSeconds(retryAfter(valid)));
    assertThat(gateway.get("/allowed/x", valid("ursula")).status()).isEqualTo(200);
    assertThat(gateway.newEvents()).extracting(e -> e.getString("reason")).containsExactly("token-invalid",
        "token-invalid", "token-invalid", "token-invalid", "token-invalid", "rate-limited", "rate-limited", "allowed");
  }

  @Test
  void aFloodOfUnknownKeyIdsFromOneAddressCannotMakeTheGatewayAskTheIdpAgainAndAgain() throws Exception {
    int fetches = idp.jwksFetches();
    int refused = 0;
    for (int i = 0; i < 20; i++) {
      RSAKey key = new RSAKeyGenerator(2048).keyID("made-up-" + i).generate();
      int status = gateway.get("/allowed/x", idp.token(key, "mallory-" + i, STAFF)).status();
      assertThat(status).isIn(401, 429);
      refused += status == 429 ? 1 : 0;
    }

    assertThat(refused).isEqualTo(15);
    assertThat(idp.jwksFetches() - fetches).as("JWKS fetches").isLessThanOrEqualTo(1);
  }

  @Test
  void aMissingCredentialIsNotAFailedAuthentication() {
    for (int i = 0; i < 10; i++) {
      assertThat(gateway.get("/allowed/x", null).json().getString("reason")).isEqualTo("credential-missing");
    }
  }

  @Test
  void failuresInOneSubjectsNameAreAnswered429ButNeverLockTheSubjectOut() {
    for (int i = 0; i < 3; i++) {
      assertThat(gateway.get("/allowed/x", expired("mallory")).json().getString("reason")).isEqualTo("token-expired");
    }

    TestGateway.Response limited = gateway.get("/allowed/x", expired("mallory"));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().getString("message")).contains("subject");
    assertThat(retryAfter(limited)).isBetween(1L, 20L);

    // anyone can send bad tokens in mallory's name; mallory's own valid token is still served
    assertThat(gateway.get("/allowed/x", valid("mallory")).status()).isEqualTo(200);
    // and another subject's failure is counted for that subject
    assertThat(gateway.get("/allowed/x", expired("eve")).json().getString("reason")).isEqualTo("token-expired");
  }

  @Test
  void aRouteLimitsEachSubjectSeparately() {
    String alice = valid("alice");
    assertThat(gateway.get("/metered/1", alice).status()).isEqualTo(200);
    assertThat(gateway.get("/metered/2", alice).status()).isEqualTo(200);

    TestGateway.Response limited = gateway.get("/metered/3", alice);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().getString("route")).isEqualTo("metered");
    assertThat(retryAfter(limited)).isEqualTo(30);
    assertThat(gateway.get("/metered/1", valid("bob")).status()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(30));
    assertThat(gateway.get("/metered/4", alice).status()).isEqualTo(200);
    assertThat(upstream.drain()).extracting(RecordingUpstream.Received::uri)
        .containsExactly("/metered/1", "/metered/2", "/metered/1", "/metered/4");
  }

  @Test
  void aPublicRouteLimitsEachAddress() {
    assertThat(gateway.get("/open/1", null).status()).isEqualTo(200);
    assertThat(gateway.get("/open/2", null).status()).isEqualTo(200);
    TestGateway.Response limited = gateway.get("/open/3", null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(retryAfter(limited)).isEqualTo(10);

    clock.advance(Duration.ofSeconds(10));
    assertThat(gateway.get("/open/4", null).status()).isEqualTo(200);
  }
}

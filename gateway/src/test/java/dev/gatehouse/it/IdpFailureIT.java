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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 6: an unreachable or misbehaving IdP never lets a request through, keys the gateway already has keep
 * working, and unknown key ids cause at most one rate-limited refresh.
 */
class IdpFailureIT {

  static final Map<String, Object> FINANCE = Map.of("groups", List.of("finance"));

  Vertx vertx;
  RecordingUpstream upstream;
  JwksServer idp;
  MutableClock clock;
  TestGateway gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = JwksServer.start(vertx);
    clock = new MutableClock();
  }

  TestGateway startGateway() {
    gateway = TestGateway.builder().issuer(idp.issuer()).upstream(upstream).clock(clock)
        .issuerOptions("jwksMinRefreshInterval: 30s").policy("saas.yaml", Policies.SAAS)
        // the IdP's part alone: failed-authentication limits would answer a flood of bad tokens with 429 (RateLimitIT)
        .section("rateLimits", "failedAuth:\n  perAddress: off\n  perSubject: off")
        .start();
    return gateway;
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    idp.close();
    upstream.close();
    vertx.close();
  }

  @Test
  void cachedKeysKeepWorkingWhileTheIdpIsDown() {
    startGateway();
    idp.mode(JwksServer.Mode.ERROR);
    clock.advance(Duration.ofMinutes(1));

    TestGateway.Response r = gateway.get("/billing/x", idp.token(idp.currentKey(), "alice", FINANCE));

    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void anUnknownKeyWhileTheIdpIsDownIsRefused() throws Exception {
    startGateway();
    idp.mode(JwksServer.Mode.ERROR);
    clock.advance(Duration.ofMinutes(1));
    RSAKey unpublished = new RSAKeyGenerator(2048).keyID("never-published").generate();

    TestGateway.Response r = gateway.get("/billing/x", idp.token(unpublished, "alice", FINANCE));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().getString("reason")).isEqualTo("key-unknown");
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void aKeyTheIdpRotatedInIsFetchedOnDemand() {
    startGateway();
    RSAKey rotated = idp.rotate();
    clock.advance(Duration.ofSeconds(31));

    TestGateway.Response r = gateway.get("/billing/x", idp.token(rotated, "alice", FINANCE));

    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void unknownKeyIdsWithinTheMinimumIntervalDoNotRefetch() throws Exception {
    startGateway();
    int before = idp.jwksFetches();
    RSAKey unpublished = new RSAKeyGenerator(2048).keyID("made-up").generate();

    TestGateway.Response r = gateway.get("/billing/x", idp.token(unpublished, "alice", FINANCE));

    assertThat(r.status()).isEqualTo(401);
    assertThat(idp.jwksFetches()).isEqualTo(before);
  }

  @Test
  void aFloodOfUnknownKeyIdsCausesOneRefetch() throws Exception {
    startGateway();
    clock.advance(Duration.ofSeconds(31));
    int before = idp.jwksFetches();
    List<CompletableFuture<Integer>> responses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      RSAKey key = new RSAKeyGenerator(2048).keyID("made-up-" + i).generate();
      String token = idp.token(key, "alice", FINANCE);
      responses.add(CompletableFuture.supplyAsync(() -> gateway.get("/billing/x", token).status()));
    }

    for (CompletableFuture<Integer> status : responses) {
      assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(401);
    }
    assertThat(idp.jwksFetches() - before).isEqualTo(1);
  }

  @Test
  void aGatewayThatNeverReachedTheIdpRefusesTokensThenRecovers() {
    idp.mode(JwksServer.Mode.ERROR);
    startGateway();
    String token = idp.token(idp.currentKey(), "alice", FINANCE);

    TestGateway.Response down = gateway.get("/billing/x", token);
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.json().getString("reason")).isEqualTo("idp-unavailable");
    assertThat(upstream.drain()).isEmpty();

    idp.mode(JwksServer.Mode.UP);
    clock.advance(Duration.ofSeconds(31));
    assertThat(gateway.get("/billing/x", token).status()).isEqualTo(200);
  }

  @Test
  void aHangingIdpDelaysOnlyTheRequestsThatNeedNewKeysAndOnlyForABoundedTime() throws Exception {
    startGateway();
    idp.mode(JwksServer.Mode.HANG);
    clock.advance(Duration.ofSeconds(31));
    RSAKey unpublished = new RSAKeyGenerator(2048).keyID("made-up").generate();
    CompletableFuture<TestGateway.Response> waiting =
        CompletableFuture.supplyAsync(() -> gateway.get("/billing/x", idp.token(unpublished, "alice", FINANCE)));

    // meanwhile a token signed with a known key goes straight through
    assertThat(gateway.get("/billing/y", idp.token(idp.currentKey(), "bob", FINANCE)).status()).isEqualTo(200);
    long start = System.nanoTime();
    TestGateway.Response r = waiting.get(30, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(401);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
  }


}

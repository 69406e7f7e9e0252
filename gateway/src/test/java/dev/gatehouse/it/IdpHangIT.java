package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.JwksServer;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An IdP that accepts connections and never answers, from the gateway's first moment: start-up and every request that
 * needs its keys are bounded in time (the IdP client's timeout), the answer fails closed, and requests that need no
 * keys are not held up at all. (Hangs after keys were fetched are in {@link IdpFailureIT}.)
 */
class IdpHangIT {

  Vertx vertx;
  RecordingUpstream upstream;
  JwksServer idp;
  TestGateway gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = JwksServer.start(vertx);
    idp.mode(JwksServer.Mode.HANG);
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
  void aHangingIdpNeitherBlocksStartUpNorLetsATokenThrough() {
    long start = System.nanoTime();
    gateway = TestGateway.builder().issuer(idp.issuer()).upstream(upstream).policy("saas.yaml", Policies.SAAS).start();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));

    long asked = System.nanoTime();
    TestGateway.Response r = gateway.get("/billing/x", idp.token(idp.currentKey(), "alice",
        Map.of("groups", List.of("finance"))));
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().getString("reason")).isEqualTo("idp-unavailable");
    assertThat(upstream.drain()).isEmpty();

    // a public route needs no keys: answered at once
    long open = System.nanoTime();
    assertThat(gateway.get("/public/x", null).status()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - open)).isLessThan(Duration.ofSeconds(2));
  }
}

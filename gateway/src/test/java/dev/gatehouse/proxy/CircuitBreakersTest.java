package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The breaker's states on a clock the test moves. */
class CircuitBreakersTest {

  private final MutableClock clock = new MutableClock();
  private final CircuitBreakers breakers =
      new CircuitBreakers(new GatewayConfig.CircuitBreaker(3, Duration.ofSeconds(30)), clock);

  private CircuitBreakers.Permit acquire(String address) {
    return breakers.acquire(address, null);
  }

  private Reason.Rejection refused(String address) {
    return catchThrowableOfType(Reason.Rejection.class, () -> breakers.acquire(address, exchange()));
  }

  private static Exchange exchange() {
    return new Exchange(null, "r", java.time.Instant.EPOCH, 0, null);
  }

  private void fail(String address, int times) {
    for (int i = 0; i < times; i++) {
      acquire(address).failed();
    }
  }

  @Test
  void opensAfterTheThresholdOfConsecutiveFailures() {
    fail("a", 2);
    acquire("a").succeeded();
    fail("a", 2);
    assertThat(breakers.state("a")).as("a success in between starts the count again").isEqualTo("closed");
    fail("a", 1);

    assertThat(breakers.state("a")).isEqualTo("open");
    Reason.Rejection r = refused("a");
    assertThat(r.reason()).isEqualTo(Reason.UPSTREAM_CIRCUIT_OPEN);
  }

  @Test
  void tellsWhenToRetry() {
    fail("a", 3);
    clock.advance(Duration.ofSeconds(10));
    Exchange ex = exchange();
    catchThrowableOfType(Reason.Rejection.class, () -> breakers.acquire("a", ex));
    assertThat(ex.retryAfter).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void afterTheOpenDurationOneProbePassesAndDecides() {
    fail("a", 3);
    clock.advance(Duration.ofSeconds(30));

    CircuitBreakers.Permit probe = acquire("a");
    assertThat(breakers.state("a")).isEqualTo("half-open");
    assertThat(refused("a")).as("a second request while the probe is out").isNotNull();
    probe.succeeded();

    assertThat(breakers.state("a")).isEqualTo("closed");
    acquire("a").succeeded();
  }

  @Test
  void aFailedProbeOpensTheBreakerAgainAtOnce() {
    fail("a", 3);
    clock.advance(Duration.ofSeconds(30));
    acquire("a").failed();

    assertThat(breakers.state("a")).isEqualTo("open");
    assertThat(refused("a")).isNotNull();
  }

  @Test
  void aReleasedProbeLetsTheNextRequestProbe() {
    fail("a", 3);
    clock.advance(Duration.ofSeconds(30));
    acquire("a").released(); // the client went away: says nothing about the upstream

    assertThat(breakers.state("a")).isEqualTo("half-open");
    acquire("a").succeeded();
    assertThat(breakers.state("a")).isEqualTo("closed");
  }

  @Test
  void aPermitCountsOnce() {
    CircuitBreakers.Permit permit = acquire("a");
    permit.failed();
    permit.failed();
    permit.failed();
    assertThat(breakers.state("a")).isEqualTo("closed");
  }

  @Test
  void upstreamsAreIndependent() {
    fail("a", 3);
    assertThat(breakers.state("b")).isEqualTo("closed");
    acquire("b").succeeded();
  }

  @Test
  void offMeansNeverRefused() {
    CircuitBreakers off = new CircuitBreakers(GatewayConfig.CircuitBreaker.OFF, clock);
    for (int i = 0; i < 100; i++) {
      off.acquire("a", null).failed();
    }
    off.acquire("a", null).succeeded();
  }
}

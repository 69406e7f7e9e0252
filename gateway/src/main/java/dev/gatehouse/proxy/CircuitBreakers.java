package dev.gatehouse.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.config.GatewayConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;

/**
 * A circuit breaker per upstream address, shared by every event loop, so requests stop piling onto an upstream that
 * keeps failing: after {@code failureThreshold} consecutive failures it opens and requests are refused at once
 * ({@code 503 upstream-circuit-open}) for {@code openDuration}; then it lets one probe through (half-open) and that
 * probe's outcome closes it or opens it again. A failure is an upstream that could not be reached, reset the
 * connection, sent something unparseable or timed out; any response, whatever its status, is a success.
 *
 * <p>Bounded: breakers are kept for at most 10,000 addresses and forgotten after an hour unused (a forgotten breaker is
 * closed). Time comes from the injected clock.
 */
final class CircuitBreakers {

  /** Permission to send one request; exactly one of its methods must be called once the outcome is known. */
  interface Permit {
    void succeeded();

    void failed();

    /** The outcome says nothing about the upstream (the client went away, or its body was refused). */
    void released();
  }

  /** The breaker is open: no request may pass for {@code retryAfter}. */
  private record Refusal(Duration retryAfter) {}

  private static final Permit UNGUARDED = new Permit() {
    @Override
    public void succeeded() {}

    @Override
    public void failed() {}

    @Override
    public void released() {}
  };

  private final GatewayConfig.CircuitBreaker config;
  private final InstantSource clock;
  private final Cache<String, Breaker> breakers;

  CircuitBreakers(GatewayConfig.CircuitBreaker config, InstantSource clock) {
    this.config = config;
    this.clock = clock;
    this.breakers = Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(1, TimeUnit.HOURS).build();
  }

  /**
   * A permit for a request of {@code ex} to {@code address}.
   *
   * @throws dev.gatehouse.Reason.Rejection {@code upstream-circuit-open} (with the exchange's Retry-After set) while the
   *     breaker is open
   */
  Permit acquire(String address, Exchange ex) {
    if (!config.enabled()) {
      return UNGUARDED;
    }
    Object admission = breakers.get(address, a -> new Breaker()).acquire(clock.instant());
    if (admission instanceof Refusal refusal) {
      ex.retryAfter = refusal.retryAfter();
      throw dev.gatehouse.Reason.UPSTREAM_CIRCUIT_OPEN.reject("the upstream failed repeatedly; requests to it are "
          + "paused");
    }
    return (Permit) admission;
  }

  /** The state of the breaker for {@code address}: closed, open or half-open (for tests and the admin listener). */
  String state(String address) {
    Breaker b = breakers.getIfPresent(address);
    return b == null ? "closed" : b.state();
  }

  private final class Breaker {
    private int consecutiveFailures;
    private Instant openedAt;
    private boolean probing;

    synchronized Object acquire(Instant now) {
      if (openedAt == null) {
        return new Pass(false);
      }
      Duration left = Duration.between(now, openedAt.plus(config.openDuration()));
      if (!left.isNegative() && !left.isZero()) {
        return new Refusal(left);
      }
      if (probing) {
        return new Refusal(Duration.ofSeconds(1));
      }
      probing = true;
      return new Pass(true);
    }

    synchronized String state() {
      return openedAt == null ? "closed" : probing || !clock.instant().isBefore(openedAt.plus(config.openDuration()))
          ? "half-open" : "open";
    }

    synchronized void outcome(boolean probe, Boolean success) {
      if (probe) {
        probing = false;
      }
      if (success == null) {
        return;
      }
      if (success) {
        consecutiveFailures = 0;
        openedAt = null;
      } else if (probe || ++consecutiveFailures >= config.failureThreshold()) {
        openedAt = clock.instant();
      }
    }

    private final class Pass implements Permit {
      private final boolean probe;
      private boolean done;

      Pass(boolean probe) {
        this.probe = probe;
      }

      private void finish(Boolean success) {
        if (!done) {
          done = true;
          outcome(probe, success);
        }
      }

      @Override
      public void succeeded() {
        finish(true);
      }

      @Override
      public void failed() {
        finish(false);
      }

      @Override
      public void released() {
        finish(null);
      }
    }
  }
}

package dev.gatehouse.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock tests move by hand, so that expiry and rate limits are tested without sleeping. */
public final class MutableClock implements InstantSource {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Back to the real time, e.g. before each test of a class that shares one gateway. */
  public void reset() {
    now.set(Instant.now());
  }

  public void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }
}

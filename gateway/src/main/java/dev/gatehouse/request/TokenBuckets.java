package dev.gatehouse.request;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.gatehouse.config.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets by key (a client address, a subject, a route and caller) in bounded memory: at most {@code maxKeys}
 * keys are remembered, the least used forgotten first, and a key is forgotten anyway once its bucket would be full
 * again. A forgotten key starts with a full bucket, which is what it would have by then; only when more than
 * {@code maxKeys} keys are active at once can forgetting favour a client.
 *
 * <p>Each bucket is a single number, the generic cell rate algorithm's theoretical arrival time {@code tat}: a take at
 * time {@code t} is allowed when {@code max(tat, t) + interval - t <= burst * interval}, and then moves {@code tat} on
 * by one interval. Updates are lock-free; time comes from the injected clock, so tests advance it instead of sleeping.
 */
public final class TokenBuckets {

  /** The answer to a take: allowed, or refused with the time until a token is available. */
  public record Verdict(boolean allowed, Duration retryAfter) {
    public static final Verdict ALLOWED = new Verdict(true, Duration.ZERO);
  }

  /** One key's bucket: its theoretical arrival time, and how long it may be forgotten after. */
  private static final class Bucket extends AtomicLong {
    final long lifetimeNanos;

    Bucket(long lifetimeNanos) {
      super(Long.MIN_VALUE);
      this.lifetimeNanos = lifetimeNanos;
    }
  }

  private final InstantSource clock;
  private final Cache<String, Bucket> buckets;

  public TokenBuckets(int maxKeys, InstantSource clock) {
    this.clock = clock;
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfter(new Expiry<String, Bucket>() {
          @Override
          public long expireAfterCreate(String key, Bucket bucket, long currentTime) {
            return bucket.lifetimeNanos;
          }

          @Override
          public long expireAfterUpdate(String key, Bucket bucket, long currentTime, long currentDuration) {
            return bucket.lifetimeNanos;
          }

          @Override
          public long expireAfterRead(String key, Bucket bucket, long currentTime, long currentDuration) {
            return bucket.lifetimeNanos;
          }
        })
        .ticker(() -> nanos(clock.instant()))
        .build();
  }

  /** Takes a token from {@code key}'s bucket under {@code limit} if there is one. */
  public Verdict take(String key, RateLimit limit) {
    long interval = limit.nanosPerToken();
    long capacity = capacity(limit, interval);
    Bucket tat = buckets.get(key, k -> new Bucket(Math.min(capacity, TimeUnit.DAYS.toNanos(1)) + interval));
    long now = nanos(clock.instant());
    while (true) {
      long current = tat.get();
      long next = Math.max(current, now) + interval;
      long wait = next - now - capacity;
      if (wait > 0) {
        return new Verdict(false, Duration.ofNanos(wait));
      }
      if (tat.compareAndSet(current, next)) {
        return Verdict.ALLOWED;
      }
    }
  }

  /** Whether a take would be allowed now, without taking; costs no allocation for a key not in the table. */
  public Verdict peek(String key, RateLimit limit) {
    Bucket tat = buckets.getIfPresent(key);
    if (tat == null) {
      return Verdict.ALLOWED;
    }
    long interval = limit.nanosPerToken();
    long now = nanos(clock.instant());
    long wait = Math.max(tat.get(), now) + interval - now - capacity(limit, interval);
    return wait > 0 ? new Verdict(false, Duration.ofNanos(wait)) : Verdict.ALLOWED;
  }

  /** How many keys are remembered. */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private static long capacity(RateLimit limit, long interval) {
    try {
      return Math.multiplyExact(interval, limit.burst());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

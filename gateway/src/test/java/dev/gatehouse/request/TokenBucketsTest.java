package dev.gatehouse.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.RateLimit;
import dev.gatehouse.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Token buckets on a clock the test moves: no sleeping. */
class TokenBucketsTest {

  private final MutableClock clock = new MutableClock();
  private final TokenBuckets buckets = new TokenBuckets(1000, clock);
  private static final RateLimit SIX_A_MINUTE = new RateLimit(6, Duration.ofMinutes(1), 3);

  @Test
  void aFullBucketAllowsItsBurstThenOneTokenPerInterval() {
    for (int i = 0; i < 3; i++) {
      assertThat(buckets.take("k", SIX_A_MINUTE).allowed()).as("take " + i).isTrue();
    }
    TokenBuckets.Verdict refused = buckets.take("k", SIX_A_MINUTE);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(10));

    clock.advance(Duration.ofSeconds(9));
    assertThat(buckets.take("k", SIX_A_MINUTE).retryAfter()).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(buckets.take("k", SIX_A_MINUTE).allowed()).isTrue();
    assertThat(buckets.take("k", SIX_A_MINUTE).allowed()).isFalse();
  }

  @Test
  void aRefusedTakeCostsNothing() {
    for (int i = 0; i < 3; i++) {
      buckets.take("k", SIX_A_MINUTE);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(buckets.take("k", SIX_A_MINUTE).allowed()).isFalse();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(buckets.take("k", SIX_A_MINUTE).allowed()).isTrue();
  }

  @Test
  void theBucketNeverHoldsMoreThanItsBurst() {
    clock.advance(Duration.ofDays(1));
    int allowed = 0;
    while (buckets.take("k", SIX_A_MINUTE).allowed()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(3);
  }

  @Test
  void keysAreIndependent() {
    for (int i = 0; i < 3; i++) {
      buckets.take("a", SIX_A_MINUTE);
    }
    assertThat(buckets.take("a", SIX_A_MINUTE).allowed()).isFalse();
    assertThat(buckets.take("b", SIX_A_MINUTE).allowed()).isTrue();
  }

  @Test
  void peekTellsWithoutTaking() {
    assertThat(buckets.peek("k", SIX_A_MINUTE).allowed()).isTrue();
    assertThat(buckets.size()).as("peeking at an unknown key remembers nothing").isZero();
    for (int i = 0; i < 3; i++) {
      buckets.take("k", SIX_A_MINUTE);
    }
    assertThat(buckets.peek("k", SIX_A_MINUTE).allowed()).isFalse();
    assertThat(buckets.peek("k", SIX_A_MINUTE).retryAfter()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void memoryIsBoundedHoweverManyKeysAreSeen() {
    TokenBuckets small = new TokenBuckets(100, clock);
    for (int i = 0; i < 10_000; i++) {
      small.take("address-" + i, SIX_A_MINUTE);
    }
    assertThat(small.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void aKeyIsForgottenOnceItsBucketWouldBeFullAgain() {
    buckets.take("k", SIX_A_MINUTE);
    assertThat(buckets.size()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    assertThat(buckets.size()).isZero();
  }

  @Test
  void concurrentTakesNeverHandOutMoreThanTheBurst() throws Exception {
    AtomicInteger allowed = new AtomicInteger();
    List<CompletableFuture<Void>> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 1000; i++) {
          if (buckets.take("shared", SIX_A_MINUTE).allowed()) {
            allowed.incrementAndGet();
          }
        }
      }));
    }
    CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get();

    assertThat(allowed.get()).isEqualTo(3);
  }
}

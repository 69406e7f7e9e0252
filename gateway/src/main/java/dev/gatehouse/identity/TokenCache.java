package dev.gatehouse.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Verified tokens, so that a token seen again costs a hash instead of a signature check. Keyed by the SHA-256 of the
 * token (the cache never holds tokens themselves), bounded in size, and an entry never outlives its token: it is
 * dropped at the token's expiry (plus the allowed skew) or after {@code maxAge}, whichever comes first.
 */
public final class TokenCache {

  /** A token's SHA-256, as four longs so that lookups compare values, not array identities. */
  record Digest(long a, long b, long c, long d) {}

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  });

  private record Entry(Identity identity, Instant validUntil) {}

  private final Cache<Digest, Entry> cache;
  private final InstantSource clock;

  public TokenCache(long maximumSize, Duration maxAge, InstantSource clock) {
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfter(new Expiry<Digest, Entry>() {
          public long expireAfterCreate(Digest key, Entry value, long currentTime) {
            long untilExpiry = Duration.between(clock.instant(), value.validUntil()).toNanos();
            return Math.max(0, Math.min(untilExpiry, maxAge.toNanos()));
          }

          public long expireAfterUpdate(Digest key, Entry value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          public long expireAfterRead(Digest key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  static Digest digest(String token) {
    MessageDigest md = SHA256.get();
    byte[] hash = md.digest(token.getBytes(StandardCharsets.US_ASCII));
    ByteBuffer b = ByteBuffer.wrap(hash);
    return new Digest(b.getLong(), b.getLong(), b.getLong(), b.getLong());
  }

  /** The identity of a token verified earlier and still valid now, or null. */
  Identity get(Digest digest) {
    Entry e = cache.getIfPresent(digest);
    if (e == null) {
      return null;
    }
    // the entry's own deadline is checked against the gateway clock, whatever the cache's timer says
    if (!clock.instant().isBefore(e.validUntil())) {
      cache.invalidate(digest);
      return null;
    }
    return e.identity();
  }

  void put(Digest digest, Identity identity, Duration skew) {
    cache.put(digest, new Entry(identity, identity.expiresAt().plus(skew)));
  }

  /** Forgets every token, e.g. when an issuer's keys change. */
  public void clear() {
    cache.invalidateAll();
  }

  public long size() {
    return cache.estimatedSize();
  }
}

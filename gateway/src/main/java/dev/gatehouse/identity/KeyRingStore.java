package dev.gatehouse.identity;

import com.nimbusds.jose.JWSAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's signing keys in force: one atomic reference to an immutable {@link KeyRing}. Keys come either from a
 * JWK Set file shared by every replica (re-read when its content changes, like a certificate; a file that cannot be
 * used is refused and the previous ring kept) or from a key generated in memory at start-up (one replica, or
 * development: each replica would sign with a key the others do not publish).
 */
public final class KeyRingStore {

  private static final Logger LOG = LoggerFactory.getLogger(KeyRingStore.class);

  private final AtomicReference<KeyRing> current;
  private final Path file;
  private final InstantSource clock;
  private final Object reloadLock = new Object();
  private String fileHash;
  private volatile long timer = -1;
  private volatile String lastPollError;

  private KeyRingStore(KeyRing ring, Path file, String fileHash, InstantSource clock) {
    this.current = new AtomicReference<>(ring);
    this.file = file;
    this.fileHash = fileHash;
    this.clock = clock;
  }

  /** A ring of one freshly generated key that signs at once. Blocking: call on a worker thread. */
  public static KeyRingStore generated(JWSAlgorithm algorithm, InstantSource clock) {
    try {
      KeyRing ring = new KeyRing(List.of(KeyRing.signingKey(
          SigningKeyGenerator.generate(algorithm, null, clock.instant()), "generated key")));
      return new KeyRingStore(ring, null, null, clock);
    } catch (KeyRingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ring in {@code file}. Blocking: call on a worker thread. */
  public static KeyRingStore load(Path file, InstantSource clock) throws KeyRingException {
    byte[] content = read(file);
    KeyRing ring = usable(file, content, clock.instant());
    return new KeyRingStore(ring, file, sha256(content), clock);
  }

  public KeyRing current() {
    return current.get();
  }

  /** The JWK Set apps verify assertions with, as published now. */
  public String jwks() {
    return current.get().jwks(clock.instant());
  }

  /** The key file, or null when the key was generated at start-up. */
  public Path file() {
    return file;
  }

  /** Checks the key file for changes every {@code interval}, off the event loop. Does nothing for a generated key. */
  public void start(Vertx vertx, Duration interval) {
    if (file != null) {
      timer = vertx.setPeriodic(interval.toMillis(), id -> reload(vertx).onComplete(ar -> {
        String error = ar.failed() ? ar.cause().getMessage() : null;
        // an unusable file is read again at every poll; say so once, not every few seconds
        if (error != null && !error.equals(lastPollError)) {
          LOG.error("assertion keys: {}; the keys in force stay", error);
        }
        lastPollError = error;
      }));
    }
  }

  public void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Reads the key file on a worker thread and puts its ring in force if the content changed and is usable.
   *
   * @return whether a new ring was put in force; fails with a {@link KeyRingException} (the old ring stays)
   */
  public Future<Boolean> reload(Vertx vertx) {
    if (file == null) {
      return Future.succeededFuture(false);
    }
    return vertx.executeBlocking(() -> {
      // a poll and an explicit reload must not interleave, or an older read could win
      synchronized (reloadLock) {
        byte[] content = read(file);
        String hash = sha256(content);
        if (hash.equals(fileHash)) {
          return false;
        }
        KeyRing ring = usable(file, content, clock.instant());
        current.set(ring);
        fileHash = hash;
        return true;
      }
    }, false);
  }

  private static KeyRing usable(Path file, byte[] content, Instant now) throws KeyRingException {
    KeyRing ring;
    try {
      ring = KeyRing.parse(content);
    } catch (KeyRingException e) {
      throw new KeyRingException(file + ": " + e.getMessage(), e);
    }
    SigningKey signing = ring.signingKey(now);
    if (signing == null) {
      throw new KeyRingException(file + ": no key may sign now (every key has expired or has an 'nbf' in the future)");
    }
    LOG.info("assertion keys {}: {} key(s) published, signing with kid {}", file, ring.published(now).size(),
        signing.kid());
    return ring;
  }

  private static byte[] read(Path file) throws KeyRingException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new KeyRingException(file + ": cannot read the key file: " + e.getMessage(), e);
    }
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return file == null ? "generated key " + current.get().keys().get(0).kid() : Objects.toString(file);
  }
}

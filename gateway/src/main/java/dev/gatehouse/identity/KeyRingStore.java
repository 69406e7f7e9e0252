package dev.gatehouse.identity;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.audit.AuditEvent;
import dev.gatehouse.audit.KeyRotationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
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
  private static final String PURPOSE = "assertion-signing";

  private final KeysInForce<KeyRing> keys;
  private final InstantSource clock;

  private KeyRingStore(KeysInForce<KeyRing> keys, InstantSource clock) {
    this.keys = keys;
    this.clock = clock;
  }

  /** A ring of one freshly generated key that signs at once. Blocking: call on a worker thread. */
  public static KeyRingStore generated(JWSAlgorithm algorithm, InstantSource clock) {
    try {
      KeyRing ring = new KeyRing(List.of(KeyRing.signingKey(
          SigningKeyGenerator.generate(algorithm, null, clock.instant()), "generated key")));
      return new KeyRingStore(KeysInForce.fixed(ring), clock);
    } catch (KeyRingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ring in {@code file}. Blocking: call on a worker thread. */
  public static KeyRingStore load(Path file, InstantSource clock) throws KeyRingException {
    // usable() says which key signs, at load and at every reload
    KeysInForce<KeyRing> keys = KeysInForce.load(new KeysInForce.Source<>(file,
        content -> usable(file, content, clock.instant()), "assertion keys", LOG));
    return new KeyRingStore(keys, clock);
  }

  public KeyRing current() {
    return keys.current();
  }

  /** The JWK Set apps verify assertions with, as published now. */
  public String jwks() {
    return keys.current().jwks(clock.instant());
  }

  /** The key file, or null when the key was generated at start-up. */
  public Path file() {
    return keys.file();
  }

  /**
   * Checks the key file for changes every {@code interval}, off the event loop, and gives {@code events} a
   * {@code key_rotation} event for each change: of the file, or of the signing or published keys as time passes their
   * {@code nbf} and {@code exp}. Does nothing for a generated key.
   */
  public void start(Vertx vertx, Duration interval, Consumer<AuditEvent> events) {
    keys.start(vertx, interval, new RotationReport(events));
  }

  public void stop(Vertx vertx) {
    keys.stop(vertx);
  }

  /**
   * Reads the key file on a worker thread and puts its ring in force if the content changed and is usable.
   *
   * @return whether a new ring was put in force; fails with a {@link KeyRingException} (the old ring stays)
   */
  public Future<Boolean> reload(Vertx vertx) {
    return keys.reload(vertx);
  }

  private static KeyRing usable(Path file, byte[] content, Instant now) throws KeyRingException {
    KeyRing ring = KeyRing.parse(content);
    SigningKey signing = ring.signingKey(now);
    if (signing == null) {
      throw new KeyRingException("no key may sign now (every key has expired or has an 'nbf' in the future)");
    }
    LOG.info("assertion keys {}: {} key(s) published, signing with kid {}", file, ring.published(now).size(),
        signing.kid());
    return ring;
  }

  /** Which key signs and which are published at one instant: what apps see of the ring. */
  private record Published(String signingKid, String algorithm, List<String> kids) {

    static Published of(KeyRing ring, Instant now) {
      SigningKey signing = ring.signingKey(now);
      return new Published(signing == null ? null : signing.kid(), signing == null ? null : signing.algorithm().getName(),
          ring.published(now).stream().map(SigningKey::kid).toList());
    }
  }

  /** Turns reloads and the passing of time into {@code key_rotation} events. */
  private final class RotationReport implements KeysInForce.Changes<KeyRing> {

    private final Consumer<AuditEvent> events;
    private Published reported;

    RotationReport(Consumer<AuditEvent> events) {
      this.events = events;
      this.reported = Published.of(keys.current(), clock.instant());
    }

    @Override
    public synchronized void applied(KeyRing before, KeyRing after) {
      report("file-change", after, true);
    }

    @Override
    public synchronized void refused(KeyRing kept, String error) {
      events.accept(KeyRotationEvent.failed(clock.instant(), PURPOSE, "file-change", reported.signingKid(), error));
    }

    @Override
    public synchronized void polled(KeyRing current) {
      report("schedule", current, false);
    }

    private void report(String trigger, KeyRing ring, boolean always) {
      Instant now = clock.instant();
      Published published = Published.of(ring, now);
      if (always || !published.equals(reported)) {
        events.accept(KeyRotationEvent.between(now, PURPOSE, trigger, published.algorithm(), reported.signingKid(),
            published.signingKid(), reported.kids(), published.kids()));
        reported = published;
      }
    }
  }

  @Override
  public String toString() {
    Path file = keys.file();
    return file == null ? "generated key " + keys.current().keys().get(0).kid() : Objects.toString(file);
  }
}

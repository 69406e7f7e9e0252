package dev.gatehouse.identity;

import dev.gatehouse.audit.AuditEvent;
import dev.gatehouse.audit.KeyRotationEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cookie keys in force: one atomic reference to an immutable {@link SessionKeys}. From a key file shared by every
 * replica (re-read when its content changes; a file that cannot be used is refused and the keys in force stay), or
 * generated in memory at start-up.
 */
public final class SessionKeyStore {

  private static final Logger LOG = LoggerFactory.getLogger(SessionKeyStore.class);
  private static final String PURPOSE = "session-cookie";
  /** How cookies are sealed: JWE {@code dir} with AES-256-GCM. */
  private static final String ALGORITHM = "A256GCM";

  private final KeysInForce<SessionKeys> keys;

  private SessionKeyStore(KeysInForce<SessionKeys> keys) {
    this.keys = keys;
  }

  public static SessionKeyStore generated() {
    return new SessionKeyStore(KeysInForce.fixed(SessionKeys.generate()));
  }

  /** The keys in {@code file}. Blocking: call on a worker thread. */
  public static SessionKeyStore load(Path file) throws KeyRingException {
    KeysInForce<SessionKeys> keys = KeysInForce.load(new KeysInForce.Source<>(file, SessionKeys::parse,
        "cookie keys", LOG));
    SessionKeys loaded = keys.current();
    LOG.info("cookie keys {}: {} key(s), encrypting with kid {}", file, loaded.kids().size(), loaded.kids().get(0));
    return new SessionKeyStore(keys);
  }

  public SessionKeys current() {
    return keys.current();
  }

  /**
   * Checks the key file for changes every {@code interval}, off the event loop, and gives {@code events} a
   * {@code key_rotation} event for each change. Does nothing for a generated key.
   */
  public void start(Vertx vertx, Duration interval, InstantSource clock, Consumer<AuditEvent> events) {
    keys.start(vertx, interval, new KeysInForce.Changes<>() {
      @Override
      public void applied(SessionKeys before, SessionKeys after) {
        LOG.info("cookie keys {}: {} key(s) in force, encrypting with kid {}", keys.file(), after.kids().size(),
            after.kids().get(0));
        events.accept(KeyRotationEvent.between(clock.instant(), PURPOSE, "file-change", ALGORITHM,
            before.kids().get(0), after.kids().get(0), before.kids(), after.kids()));
      }

      @Override
      public void refused(SessionKeys kept, String error) {
        events.accept(KeyRotationEvent.failed(clock.instant(), PURPOSE, "file-change", kept.kids().get(0), error));
      }
    });
  }

  public void stop(Vertx vertx) {
    keys.stop(vertx);
  }

  /** Re-reads the key file on a worker thread; completes with whether new keys were put in force. */
  public Future<Boolean> reload(Vertx vertx) {
    return keys.reload(vertx);
  }
}

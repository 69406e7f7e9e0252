package dev.gatehouse.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cookie keys in force: one atomic reference to an immutable {@link SessionKeys}. From a key file shared by every
 * replica (re-read when its content changes; a file that cannot be used is refused and the keys in force stay), or
 * generated in memory at start-up.
 */
public final class SessionKeyStore {

  private static final Logger LOG = LoggerFactory.getLogger(SessionKeyStore.class);

  private final AtomicReference<SessionKeys> current;
  private final Path file;
  private final Object reloadLock = new Object();
  private byte[] fileHash;
  private volatile long timer = -1;
  private volatile String lastPollError;

  private SessionKeyStore(SessionKeys keys, Path file, byte[] fileHash) {
    this.current = new AtomicReference<>(keys);
    this.file = file;
    this.fileHash = fileHash;
  }

  public static SessionKeyStore generated() {
    return new SessionKeyStore(SessionKeys.generate(), null, null);
  }

  /** The keys in {@code file}. Blocking: call on a worker thread. */
  public static SessionKeyStore load(Path file) throws KeyRingException {
    byte[] content = read(file);
    SessionKeys keys = parse(file, content);
    LOG.info("cookie keys {}: {} key(s), encrypting with kid {}", file, keys.kids().size(), keys.kids().get(0));
    return new SessionKeyStore(keys, file, sha256(content));
  }

  public SessionKeys current() {
    return current.get();
  }

  /** Checks the key file for changes every {@code interval}, off the event loop. */
  public void start(Vertx vertx, Duration interval) {
    if (file != null) {
      timer = vertx.setPeriodic(interval.toMillis(), id -> reload(vertx).onComplete(ar -> {
        String error = ar.failed() ? ar.cause().getMessage() : null;
        if (error != null && !error.equals(lastPollError)) {
          LOG.error("cookie keys: {}; the keys in force stay", error);
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

  /** Re-reads the key file on a worker thread; completes with whether new keys were put in force. */
  public Future<Boolean> reload(Vertx vertx) {
    if (file == null) {
      return Future.succeededFuture(false);
    }
    return vertx.executeBlocking(() -> {
      synchronized (reloadLock) {
        byte[] content = read(file);
        byte[] hash = sha256(content);
        if (Arrays.equals(hash, fileHash)) {
          return false;
        }
        SessionKeys keys = parse(file, content);
        current.set(keys);
        fileHash = hash;
        LOG.info("cookie keys {}: {} key(s) in force, encrypting with kid {}", file, keys.kids().size(),
            keys.kids().get(0));
        return true;
      }
    }, false);
  }

  private static SessionKeys parse(Path file, byte[] content) throws KeyRingException {
    try {
      return SessionKeys.parse(content);
    } catch (KeyRingException e) {
      throw new KeyRingException(file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) throws KeyRingException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new KeyRingException(file + ": cannot read the key file: " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

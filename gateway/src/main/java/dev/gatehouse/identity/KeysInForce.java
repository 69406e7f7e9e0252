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

/**
 * Keys in force, in one atomic reference to an immutable value: either fixed (generated at start-up) or read from a
 * key file shared by every replica, which is read again when its content changes. A file that cannot be used is
 * refused and the keys in force stay.
 *
 * @param <T> the immutable keys a file holds
 */
final class KeysInForce<T> {

  /** Turns the content of a key file into keys; the file name is put before the message of what it throws. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(byte[] content) throws KeyRingException;
  }

  /**
   * A key file and how to read it.
   *
   * @param label names the keys in the error messages ("cookie keys")
   * @param log where reload errors go: the store's logger, so the lines name the store
   */
  record Source<T>(Path file, Parser<T> parser, String label, Logger log) {}

  /** Hears what happens to a key file once {@link #start} has been called; on a Vert.x thread. */
  interface Changes<T> {
    /** A changed, usable file put {@code after} in force. */
    void applied(T before, T after);

    /** A changed file was refused and {@code kept} stays in force; once per distinct error, not at every poll. */
    void refused(T kept, String error);

    /** After every poll, whatever its outcome: what keys mean can change with time alone ({@code nbf}, {@code exp}). */
    default void polled(T current) {}
  }

  private static final Changes<Object> IGNORED = new Changes<>() {
    @Override
    public void applied(Object before, Object after) {}

    @Override
    public void refused(Object kept, String error) {}
  };

  private final AtomicReference<T> current;
  private final Source<T> source;
  private final Object reloadLock = new Object();
  private byte[] fileHash;
  private volatile long timer = -1;
  private volatile String lastError;
  @SuppressWarnings("unchecked")
  private volatile Changes<T> changes = (Changes<T>) IGNORED;

  private KeysInForce(T keys, Source<T> source, byte[] fileHash) {
    this.current = new AtomicReference<>(keys);
    this.source = source;
    this.fileHash = fileHash;
  }

  /** Keys that never change. */
  static <T> KeysInForce<T> fixed(T keys) {
    return new KeysInForce<>(keys, null, null);
  }

  /** The keys in {@code source}'s file. Blocking: call on a worker thread. */
  static <T> KeysInForce<T> load(Source<T> source) throws KeyRingException {
    byte[] content = read(source.file());
    return new KeysInForce<>(parse(source, content), source, sha256(content));
  }

  T current() {
    return current.get();
  }

  /** The key file, or null for fixed keys. */
  Path file() {
    return source == null ? null : source.file();
  }

  /**
   * Checks the key file for changes every {@code interval}, off the event loop, and from now on tells {@code changes}
   * what reloads do. Does nothing for fixed keys.
   */
  void start(Vertx vertx, Duration interval, Changes<T> changes) {
    if (source != null) {
      this.changes = changes;
      timer = vertx.setPeriodic(interval.toMillis(), id -> reload(vertx).onComplete(ar -> changes.polled(current())));
    }
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Reads the key file on a worker thread and puts its keys in force if the content changed and is usable.
   *
   * @return whether new keys were put in force; fails with a {@link KeyRingException} (the keys in force stay)
   */
  Future<Boolean> reload(Vertx vertx) {
    if (source == null) {
      return Future.succeededFuture(false);
    }
    return vertx.executeBlocking(this::readChanged, false).transform(ar -> {
      if (ar.failed()) {
        String error = ar.cause().getMessage();
        // an unusable file is read again at every poll; say so once, not every few seconds
        if (!error.equals(lastError)) {
          lastError = error;
          source.log().error("{}: {}; the keys in force stay", source.label(), error);
          changes.refused(current(), error);
        }
        return Future.failedFuture(ar.cause());
      }
      lastError = null;
      Change<T> change = ar.result();
      if (change != null) {
        changes.applied(change.before(), change.after());
      }
      return Future.succeededFuture(change != null);
    });
  }

  private record Change<T>(T before, T after) {}

  /** The keys of a changed, usable file, now in force; null when the file has not changed. Blocking. */
  private Change<T> readChanged() throws KeyRingException {
    // a poll and an explicit reload must not interleave, or an older read could win
    synchronized (reloadLock) {
      byte[] content = read(source.file());
      byte[] hash = sha256(content);
      if (Arrays.equals(hash, fileHash)) {
        return null;
      }
      T keys = parse(source, content);
      T before = current.getAndSet(keys);
      fileHash = hash;
      return new Change<>(before, keys);
    }
  }

  private static <T> T parse(Source<T> source, byte[] content) throws KeyRingException {
    try {
      return source.parser().parse(content);
    } catch (KeyRingException e) {
      throw new KeyRingException(source.file() + ": " + e.getMessage(), e);
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

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
import java.util.function.Consumer;
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
   * A key file and what to do with it.
   *
   * @param label names the keys in the poll's error messages ("cookie keys")
   * @param log where the poll reports errors: the store's logger, so the lines name the store
   * @param onReload hears of keys a reload put in force, on the worker thread
   */
  record Source<T>(Path file, Parser<T> parser, String label, Logger log, Consumer<T> onReload) {}

  private final AtomicReference<T> current;
  private final Source<T> source;
  private final Object reloadLock = new Object();
  private byte[] fileHash;
  private volatile long timer = -1;
  private volatile String lastPollError;

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

  /** Checks the key file for changes every {@code interval}, off the event loop. Does nothing for fixed keys. */
  void start(Vertx vertx, Duration interval) {
    if (source != null) {
      timer = vertx.setPeriodic(interval.toMillis(), id -> reload(vertx).onComplete(ar -> {
        String error = ar.failed() ? ar.cause().getMessage() : null;
        // an unusable file is read again at every poll; say so once, not every few seconds
        if (error != null && !error.equals(lastPollError)) {
          source.log().error("{}: {}; the keys in force stay", source.label(), error);
        }
        lastPollError = error;
      }));
    }
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Reads the key file on a worker thread and puts its keys in force if the content changed and is usable; the
   * source's {@code onReload} hears of the new keys.
   *
   * @return whether new keys were put in force; fails with a {@link KeyRingException} (the keys in force stay)
   */
  Future<Boolean> reload(Vertx vertx) {
    if (source == null) {
      return Future.succeededFuture(false);
    }
    return vertx.executeBlocking(() -> {
      // a poll and an explicit reload must not interleave, or an older read could win
      synchronized (reloadLock) {
        byte[] content = read(source.file());
        byte[] hash = sha256(content);
        if (Arrays.equals(hash, fileHash)) {
          return false;
        }
        T keys = parse(source, content);
        current.set(keys);
        fileHash = hash;
        source.onReload().accept(keys);
        return true;
      }
    }, false);
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

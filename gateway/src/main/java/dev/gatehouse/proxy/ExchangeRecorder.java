package dev.gatehouse.proxy;

import dev.gatehouse.audit.AccessEvent;
import dev.gatehouse.audit.EventLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Where finished exchanges go: the event log and an observer (the metrics). It also counts the exchanges that have
 * begun and not yet been recorded, because a listener counts as drained once its connections are closed, which can be
 * an instant before the last response's end handler has written its access event: shutdown waits for that event
 * before it closes the log.
 */
final class ExchangeRecorder {

  private final EventLog log;
  private final Consumer<AccessEvent> observer;
  private final AtomicInteger open = new AtomicInteger();
  private final CompletableFuture<Void> idle = new CompletableFuture<>();
  private volatile boolean stopping;

  ExchangeRecorder(EventLog log, Consumer<AccessEvent> observer) {
    this.log = log;
    this.observer = observer;
  }

  void opened() {
    open.incrementAndGet();
  }

  void record(AccessEvent event) {
    try {
      log.record(event);
      observer.accept(event);
    } finally {
      if (open.decrementAndGet() == 0 && stopping) {
        idle.complete(null);
      }
    }
  }

  /** Completes once every exchange that has begun is recorded; call when no new request can arrive. */
  CompletableFuture<Void> whenIdle() {
    stopping = true;
    if (open.get() == 0) {
      idle.complete(null);
    }
    return idle;
  }
}

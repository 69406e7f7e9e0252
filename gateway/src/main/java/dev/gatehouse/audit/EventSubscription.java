package dev.gatehouse.audit;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's bounded buffer between the writer thread and the subscriber's executor. The writer only ever
 * appends (never waits); when the buffer is full it counts a gap instead, and the gap is delivered in its place in
 * the sequence. The lock is held for a few instructions on either side, never while the subscriber runs.
 */
final class EventSubscription implements Subscription {

  private static final Logger LOG = LoggerFactory.getLogger(EventSubscription.class);
  private static final int MAX_PER_RUN = 256;

  /** A run of lines that did not fit; grows while it is the last item. */
  private static final class Gap {
    long count;
  }

  private final Predicate<AuditEvent> filter;
  private final Executor executor;
  private final EventSubscriber subscriber;
  private final int capacity;
  private final Consumer<EventSubscription> onClose;
  private final ArrayDeque<Object> items = new ArrayDeque<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong missed = new AtomicLong();
  private int lines;

  EventSubscription(Predicate<AuditEvent> filter, Executor executor, EventSubscriber subscriber, int capacity,
      Consumer<EventSubscription> onClose) {
    this.filter = filter;
    this.executor = executor;
    this.subscriber = subscriber;
    this.capacity = capacity;
    this.onClose = onClose;
  }

  /** Writer thread: whether this subscriber wants the event. A failing filter counts as "no". */
  boolean wants(AuditEvent event) {
    try {
      return filter.test(event);
    } catch (RuntimeException e) {
      LOG.warn("an event subscription's filter failed on a {} event", event.type(), e);
      return false;
    }
  }

  /** Writer thread: appends a line, or counts it missed when the buffer is full. Never blocks on the subscriber. */
  void offer(String line) {
    if (closed.get()) {
      return;
    }
    synchronized (items) {
      if (lines < capacity) {
        items.add(line);
        lines++;
      } else {
        if (!(items.peekLast() instanceof Gap)) {
          items.add(new Gap());
        }
        ((Gap) items.peekLast()).count++;
        missed.incrementAndGet();
      }
    }
    schedule();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        close();
      }
    }
  }

  /** Subscriber's executor: delivers a bounded run of items, then yields the executor and reschedules. */
  private void drain() {
    try {
      for (int i = 0; i < MAX_PER_RUN && !closed.get(); i++) {
        Object item;
        long gap = 0;
        synchronized (items) {
          item = items.poll();
          if (item instanceof Gap g) {
            gap = g.count;
          } else if (item != null) {
            lines--;
          }
        }
        if (item == null) {
          break;
        }
        if (gap > 0) {
          subscriber.onMissed(gap);
        } else {
          subscriber.onEvent((String) item);
          delivered.incrementAndGet();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("an event subscriber failed; closing its subscription", e);
      close();
      return;
    } finally {
      scheduled.set(false);
    }
    boolean more;
    synchronized (items) {
      more = !items.isEmpty();
    }
    if (more && !closed.get()) {
      schedule();
    }
  }

  @Override
  public long delivered() {
    return delivered.get();
  }

  @Override
  public long missed() {
    return missed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (items) {
      items.clear();
      lines = 0;
    }
    onClose.accept(this);
    try {
      executor.execute(subscriber::onClosed);
    } catch (RejectedExecutionException e) {
      LOG.debug("could not tell a subscriber that its subscription closed", e);
    }
  }
}

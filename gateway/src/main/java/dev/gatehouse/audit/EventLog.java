package dev.gatehouse.audit;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event stream: access events and audit events, written in order by one writer thread to every sink, each line
 * chained to the one before it ({@link HashChain}).
 *
 * <p>{@link #record} never blocks and never drops an event. Intake is slowed instead: when the queue holds
 * {@code queueCapacity} events, {@link #admission()} answers {@link Admission#WAIT} and the gateway holds new
 * requests until the writer has made room ({@link #whenRoom}); requests already admitted still record their event,
 * so the queue exceeds the capacity by at most the requests in flight. The writer takes whatever is queued (up to
 * {@value #BATCH} events) as soon as it wakes, so batching adds no latency when the log is idle.
 *
 * <p>When a sink cannot be written, the events are counted lost, the log reports itself not {@link
 * EventLogStats#writable() writable} and retries every {@code retryInterval}; once it succeeds, it writes an {@code
 * events_lost} event declaring the gap. With {@link FailurePolicy#DENY} the gateway refuses new requests meanwhile.
 */
public final class EventLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
  private static final int BATCH = 512;
  private static final int SUBSCRIBER_BUFFER = 4096;

  /** What the gateway does with new requests while the log cannot be written. */
  public enum FailurePolicy {
    /** Answer 503 {@code audit-unavailable}: an unaudited request is not served. */
    DENY("deny"),
    /** Serve, and count the events lost. */
    SERVE("serve");

    private final String code;

    FailurePolicy(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** What to do with a new request now. */
  public enum Admission {
    /** Serve it. */
    NOW,
    /** The queue is full: wait for {@link #whenRoom}. */
    WAIT,
    /** The log cannot be written and the policy is {@link FailurePolicy#DENY}: answer 503. */
    REFUSE
  }

  /**
   * @param queueCapacity queued events at which new requests wait
   * @param retryInterval how often a failing log retries when no events arrive
   */
  public record Options(int queueCapacity, FailurePolicy onFailure, Duration retryInterval) {
    public static final Options DEFAULTS = new Options(65_536, FailurePolicy.DENY, Duration.ofSeconds(1));

    public Options {
      Objects.requireNonNull(onFailure, "onFailure");
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: at least 1)");
      }
    }
  }

  /** Queued behind real events; completes once everything before it is written and flushed. */
  private record Barrier(CompletableFuture<Void> done) {}

  private record Waiter(Executor executor, Runnable task) {}

  private final Options options;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong depth = new AtomicLong();
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final List<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final EventWriter.Counters counters = new EventWriter.Counters();
  private final HashChain chain;
  private final EventWriter writer;
  private final Thread thread;
  private volatile boolean closing;

  /** A log with a plain SHA-256 chain and default options. */
  public EventLog(List<EventSink> sinks, QueryRedactor redactor) {
    this(sinks, redactor, null, Options.DEFAULTS, InstantSource.system());
  }

  /**
   * Starts the writer thread. The chain continues from the first sink that has an {@link EventSink#anchor()
   * anchor} (the last event of the previous run's file), or starts a new chain.
   *
   * @param key the HMAC key for a keyed chain, or null for plain SHA-256
   */
  public EventLog(List<EventSink> sinks, QueryRedactor redactor, ChainKey key, Options options, InstantSource clock) {
    this.options = Objects.requireNonNull(options, "options");
    EventSink.Anchor anchor = sinks.stream().map(EventSink::anchor).filter(Objects::nonNull).findFirst().orElse(null);
    this.chain = anchor == null ? new HashChain(key, HashChain.GENESIS, 1)
        : new HashChain(key, anchor.hash(), anchor.seq() + 1);
    byte[] instance = new byte[6];
    new SecureRandom().nextBytes(instance);
    EventSerializer serializer = new EventSerializer(redactor, HexFormat.of().formatHex(instance));
    this.writer = new EventWriter(sinks, serializer, chain, clock, counters, subscriptions);
    this.thread = new Thread(this::run, "gatehouse-event-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues an event. Safe from any thread; never blocks, never refuses. */
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (closing) {
      counters.lost.incrementAndGet();
      LOG.error("a {} event arrived after the event log was closed; it is lost", event.type());
      return;
    }
    depth.incrementAndGet();
    queue.add(event);
  }

  /** Completes when every event recorded before this call has been written and flushed (or counted lost). */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Barrier(done));
    return done;
  }

  /** Whether a new request may be served now. Cheap; call on the event loop. */
  public Admission admission() {
    if (!counters.writable && options.onFailure() == FailurePolicy.DENY) {
      return Admission.REFUSE;
    }
    return depth.get() < options.queueCapacity() ? Admission.NOW : Admission.WAIT;
  }

  /**
   * Runs {@code task} on {@code executor} once the queue has room (at once, if it has). Each waiting request
   * calls this once; the task should check {@link #admission()} again.
   */
  public void whenRoom(Executor executor, Runnable task) {
    waiting.incrementAndGet();
    waiters.add(new Waiter(executor, task));
    // the writer may have made room between the caller's check and the add above; never miss that wake-up
    if (depth.get() < options.queueCapacity()) {
      releaseWaiters();
    }
  }

  /**
   * Subscribes to the stream as it is written: every line whose event passes {@code filter} is handed to {@code
   * subscriber} on {@code executor}, in log order, once its batch was written and flushed to the sinks (a line the
   * sinks failed to take is still delivered; the log declares that loss with an {@code events_lost} line). The
   * writer never waits for a subscriber: each has a buffer of {@value #SUBSCRIBER_BUFFER} lines, and lines that do
   * not fit are counted and reported through {@link EventSubscriber#onMissed} in their place (they are still in the
   * log). {@code filter} runs on the writer thread and must be quick. Meant for the admin listener's live stream.
   */
  public Subscription subscribe(Predicate<AuditEvent> filter, Executor executor, EventSubscriber subscriber) {
    EventSubscription s = new EventSubscription(Objects.requireNonNull(filter, "filter"),
        Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(subscriber, "subscriber"),
        SUBSCRIBER_BUFFER, subscriptions::remove);
    subscriptions.add(s);
    return s;
  }

  /** Live counters. */
  public EventLogStats stats() {
    return new EventLogStats() {
      @Override
      public long queueDepth() {
        return depth.get();
      }

      @Override
      public long queueCapacity() {
        return options.queueCapacity();
      }

      @Override
      public long waitingRequests() {
        return waiting.get();
      }

      @Override
      public long written() {
        return counters.written.get();
      }

      @Override
      public long lost() {
        return counters.lost.get();
      }

      @Override
      public long writeFailures() {
        return counters.writeFailures.get();
      }

      @Override
      public boolean writable() {
        return counters.writable;
      }
    };
  }

  public FailurePolicy failurePolicy() {
    return options.onFailure();
  }

  /** {@code sha256} or {@code hmac-sha256}. */
  public String chainAlgorithm() {
    return chain.algorithm();
  }

  /** The HMAC key's id, or null for a plain chain. */
  public String keyId() {
    return chain.keyId();
  }

  private void run() {
    List<Object> items = new ArrayList<>(BATCH);
    List<AuditEvent> events = new ArrayList<>(BATCH);
    List<Barrier> barriers = new ArrayList<>();
    while (true) {
      Object first;
      try {
        first = writer.hasUndeclaredLoss()
            ? queue.poll(options.retryInterval().toMillis(), TimeUnit.MILLISECONDS)
            : queue.take();
      } catch (InterruptedException e) {
        if (closing && queue.isEmpty()) {
          return;
        }
        continue;
      }
      if (first != null) {
        items.add(first);
        queue.drainTo(items, BATCH - 1);
      }
      for (Object item : items) {
        if (item instanceof Barrier b) {
          barriers.add(b);
        } else {
          events.add((AuditEvent) item);
        }
      }
      if (first == null || !events.isEmpty()) {
        // with nothing queued (a timeout) this is the retry of a failing log: it writes the pending events_lost
        writer.write(events);
      }
      depth.addAndGet(-events.size());
      if (!waiters.isEmpty() && depth.get() < options.queueCapacity()) {
        releaseWaiters();
      }
      for (Barrier b : barriers) {
        b.done().complete(null);
      }
      items.clear();
      events.clear();
      barriers.clear();
      if (closing && queue.isEmpty()) {
        return;
      }
    }
  }

  private void releaseWaiters() {
    Waiter w;
    while ((w = waiters.poll()) != null) {
      waiting.decrementAndGet();
      try {
        w.executor().execute(w.task());
      } catch (RejectedExecutionException e) {
        LOG.debug("a waiting request's event loop is gone", e);
      }
    }
  }

  /** Writes everything queued, then closes the sinks and subscriptions. Blocking. */
  @Override
  public void close() {
    try {
      flush().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("the event log did not finish writing within 30 seconds", e);
    } finally {
      closing = true;
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writer.close();
      for (EventSubscription s : subscriptions) {
        s.close();
      }
      // recorded in the instant between the last flush and closing: too late to write, but never silently gone
      long late = queue.stream().filter(AuditEvent.class::isInstance).count();
      if (late > 0) {
        counters.lost.addAndGet(late);
        LOG.error("{} event(s) arrived while the event log was closing; they are lost", late);
      }
      queue.stream().filter(Barrier.class::isInstance).forEach(b -> ((Barrier) b).done().complete(null));
    }
  }
}

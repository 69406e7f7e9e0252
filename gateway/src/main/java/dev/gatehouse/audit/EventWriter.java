package dev.gatehouse.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the writer thread does with one batch: serialize each event, start new files where due, seal each line into
 * the hash chain, write it to every sink, flush, and account for what failed. A failed batch is counted lost for
 * the failing sinks and declared in the log by an {@code events_lost} event as soon as the log can be written
 * again. Subscribers get every line after the batch was flushed. Confined to the writer thread.
 */
final class EventWriter {

  private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);

  /** Counters shared with {@link EventLog}'s readers. */
  static final class Counters {
    final AtomicLong written = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong writeFailures = new AtomicLong();
    volatile boolean writable = true;
  }

  private static final class SinkState {
    final EventSink sink;
    IOException failure;
    long committedSeq;

    SinkState(EventSink sink) {
      this.sink = sink;
    }
  }

  /** Events lost and not yet declared in the log. */
  private record Loss(long firstSeq, long lastSeq, long count, List<String> sinks, String error, Instant since) {}

  private record Line(AuditEvent event, byte[] bytes) {}

  private final List<SinkState> sinks = new ArrayList<>();
  private final EventSerializer serializer;
  private final HashChain chain;
  private final InstantSource clock;
  private final Counters counters;
  private final List<EventSubscription> subscriptions;
  private final List<Line> batch = new ArrayList<>();
  private Loss loss;

  EventWriter(List<EventSink> sinks, EventSerializer serializer, HashChain chain, InstantSource clock,
      Counters counters, List<EventSubscription> subscriptions) {
    for (EventSink s : sinks) {
      SinkState state = new SinkState(s);
      state.committedSeq = chain.nextSeq() - 1;
      this.sinks.add(state);
    }
    this.serializer = serializer;
    this.chain = chain;
    this.clock = clock;
    this.counters = counters;
    this.subscriptions = subscriptions;
  }

  /** Writes one batch (possibly empty: then only an undeclared loss is retried). Never throws. */
  void write(List<AuditEvent> events) {
    batch.clear();
    for (SinkState s : sinks) {
      s.failure = null;
    }
    long firstSeq = chain.nextSeq();
    if (loss != null) {
      append(new EventsLostEvent(clock.instant(), loss.firstSeq(), loss.lastSeq(), loss.count(), loss.sinks(),
          loss.error(), loss.since()));
    }
    for (AuditEvent event : events) {
      append(event);
    }
    if (!batch.isEmpty()) {
      account(firstSeq, chain.nextSeq() - 1);
      deliver();
    }
  }

  private void append(AuditEvent event) {
    try {
      byte[] object = serializer.serialize(event, chain.nextSeq());
      Instant now = clock.instant();
      boolean newFile = false;
      for (SinkState s : sinks) {
        if (s.failure != null) {
          continue;
        }
        try {
          EventSink.FileStart start = s.sink.rotateIfDue(object.length + 1, now);
          if (start != null) {
            s.committedSeq = chain.nextSeq() - 1;
            seal(new LogFileOpenedEvent(now, start.file(), start.previousFile(), start.reason(), start.truncatedBytes(),
                chain.algorithm(), chain.keyId()));
            newFile = true;
          }
        } catch (IOException e) {
          s.failure = e;
        }
      }
      if (newFile) {
        object = serializer.serialize(event, chain.nextSeq());
      }
      writeLine(event, chain.seal(object));
    } catch (IOException | RuntimeException e) {
      // a bug in an event's serialization; the chain did not advance, so the log stays consistent
      counters.lost.incrementAndGet();
      LOG.error("cannot serialize a {} event; it is lost", event.type(), e);
    }
  }

  private void seal(AuditEvent event) throws IOException {
    writeLine(event, chain.seal(serializer.serialize(event, chain.nextSeq())));
  }

  private void writeLine(AuditEvent event, byte[] line) {
    for (SinkState s : sinks) {
      if (s.failure == null) {
        try {
          s.sink.write(line, line.length);
        } catch (IOException e) {
          s.failure = e;
        }
      }
    }
    batch.add(new Line(event, line));
  }

  private void account(long firstSeq, long lastSeq) {
    long firstLost = Long.MAX_VALUE;
    List<String> failed = new ArrayList<>();
    IOException error = null;
    for (SinkState s : sinks) {
      if (s.failure == null) {
        try {
          s.sink.flush();
        } catch (IOException e) {
          s.failure = e;
        }
      }
      if (s.failure == null) {
        s.committedSeq = lastSeq;
        continue;
      }
      s.sink.discard();
      counters.writeFailures.incrementAndGet();
      firstLost = Math.min(firstLost, Math.max(s.committedSeq + 1, firstSeq));
      failed.add(s.sink.name());
      error = error == null ? s.failure : error;
    }
    if (failed.isEmpty()) {
      counters.written.addAndGet(lastSeq - firstSeq + 1);
      if (loss != null) {
        LOG.warn("the event log is writable again; {} events were lost (declared in the log as events_lost, seq {}..{})",
            loss.count(), loss.firstSeq(), loss.lastSeq());
      }
      loss = null;
      counters.writable = true;
      return;
    }
    long count = lastSeq - firstLost + 1;
    counters.lost.addAndGet(count);
    counters.written.addAndGet(lastSeq - firstSeq + 1 - Math.min(count, lastSeq - firstSeq + 1));
    String message = String.valueOf(error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage());
    if (loss == null) {
      LOG.error("cannot write the event log to {}: {}; {} events lost so far", failed, message, count, error);
      loss = new Loss(firstLost, lastSeq, count, List.copyOf(failed), message, clock.instant());
    } else {
      LOG.debug("the event log is still failing: {}", message);
      List<String> allFailed = new ArrayList<>(loss.sinks());
      failed.stream().filter(f -> !allFailed.contains(f)).forEach(allFailed::add);
      loss = new Loss(loss.firstSeq(), lastSeq, loss.count() + count, List.copyOf(allFailed), loss.error(), loss.since());
    }
    counters.writable = false;
  }

  private void deliver() {
    if (subscriptions.isEmpty()) {
      return;
    }
    for (Line line : batch) {
      String text = null;
      for (EventSubscription s : subscriptions) {
        if (s.wants(line.event())) {
          if (text == null) {
            text = new String(line.bytes(), 0, line.bytes().length - 1, StandardCharsets.UTF_8);
          }
          s.offer(text);
        }
      }
    }
  }

  boolean hasUndeclaredLoss() {
    return loss != null;
  }

  void close() {
    for (SinkState s : sinks) {
      try {
        s.sink.close();
      } catch (IOException e) {
        LOG.error("cannot close the event sink {}", s.sink.name(), e);
      }
    }
  }
}

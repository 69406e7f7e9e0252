package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event stream. {@link #record} never blocks: it queues the event for a single writer thread, which serializes
 * events to one JSON line each and writes them to every sink in batches, flushing after each batch.
 */
public final class EventLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final int BATCH = 512;

  /** Queued behind real events; completes once everything before it is written and flushed. */
  private record Barrier(CompletableFuture<Void> done) {}

  private final List<EventSink> sinks;
  private final QueryRedactor redactor;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final String instance;
  private final Thread writer;
  private volatile boolean closing;

  public EventLog(List<EventSink> sinks, QueryRedactor redactor) {
    this.sinks = List.copyOf(sinks);
    this.redactor = redactor;
    this.instance = Long.toHexString(System.nanoTime() ^ ProcessHandle.current().pid()).substring(0, 6);
    this.writer = new Thread(this::run, "gatehouse-event-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Queues an event. Safe from any thread; never blocks. */
  public void record(AuditEvent event) {
    queue.add(event);
  }

  /** Completes when every event recorded before this call has been written and flushed. */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Barrier(done));
    return done;
  }

  public long pending() {
    return queue.size();
  }

  public long written() {
    return written.get();
  }

  public long failed() {
    return failed.get();
  }

  private void run() {
    List<Object> batch = new ArrayList<>(BATCH);
    ByteArrayBuilder buffer = new ByteArrayBuilder(4096);
    long sequence = 0;
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        if (closing && queue.isEmpty()) {
          return;
        }
        continue;
      }
      queue.drainTo(batch, BATCH - 1);
      List<Barrier> barriers = new ArrayList<>();
      for (Object item : batch) {
        if (item instanceof Barrier b) {
          barriers.add(b);
          continue;
        }
        AuditEvent event = (AuditEvent) item;
        sequence++;
        try {
          buffer.reset();
          try (JsonGenerator g = JSON.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField("time", event.time().toString());
            g.writeStringField("type", event.type());
            g.writeStringField("event_id", instance + "-" + sequence);
            event.writeFields(g, redactor);
            g.writeEndObject();
          }
          buffer.append('\n');
          byte[] line = buffer.toByteArray();
          for (EventSink sink : sinks) {
            sink.write(line, line.length);
          }
          written.incrementAndGet();
        } catch (IOException | RuntimeException e) {
          failed.incrementAndGet();
          LOG.error("cannot write a {} event", event.type(), e);
        }
      }
      for (EventSink sink : sinks) {
        try {
          sink.flush();
        } catch (IOException e) {
          LOG.error("cannot flush the event log", e);
        }
      }
      for (Barrier b : barriers) {
        b.done().complete(null);
      }
      batch.clear();
    }
  }

  /** Writes everything queued, then closes the sinks. Blocking. */
  @Override
  public void close() {
    try {
      flush().join();
    } finally {
      closing = true;
      writer.interrupt();
      try {
        writer.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (EventSink sink : sinks) {
        try {
          sink.close();
        } catch (IOException e) {
          LOG.error("cannot close an event sink", e);
        }
      }
    }
  }
}

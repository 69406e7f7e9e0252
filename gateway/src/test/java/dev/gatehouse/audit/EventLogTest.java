package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {

  @TempDir
  Path dir;

  final MutableClock clock = new MutableClock();
  final ExecutorService executor = Executors.newSingleThreadExecutor();
  final List<EventLog> logs = new ArrayList<>();

  @AfterEach
  void close() {
    logs.forEach(EventLog::close);
    executor.shutdownNow();
  }

  ControllableSink sink() throws Exception {
    return new ControllableSink(RotatingFileSink.open(dir.resolve("access.log"), 100L << 20, Duration.ofDays(1), clock));
  }

  EventLog log(EventSink sink, int capacity, EventLog.FailurePolicy onFailure) {
    EventLog log = new EventLog(List.of(sink), new QueryRedactor(List.of()), null,
        new EventLog.Options(capacity, onFailure, Duration.ofHours(1)), clock);
    logs.add(log);
    return log;
  }

  List<JsonObject> lines() throws Exception {
    return Files.readAllLines(dir.resolve("access.log")).stream().map(JsonObject::new).toList();
  }

  static void await(CompletableFuture<?> f) throws Exception {
    f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void writesEveryEventInOrderOnceTheFlushBarrierCompletes() throws Exception {
    EventLog log = log(sink(), 1000, EventLog.FailurePolicy.DENY);
    for (int i = 0; i < 2000; i++) {
      log.record(new TestEvent("e" + i));
    }

    await(log.flush());

    List<JsonObject> lines = lines();
    assertThat(lines.get(0).getString("type")).isEqualTo("log_file_opened");
    assertThat(lines.get(0).getString("reason")).isEqualTo("startup");
    assertThat(lines.subList(1, lines.size())).extracting(l -> l.getString("name"))
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 2000).mapToObj(i -> "e" + i).toList());
    assertThat(lines).extracting(l -> l.getLong("seq")).isSorted().doesNotHaveDuplicates();
    assertThat(log.stats().written()).isEqualTo(2001);
    assertThat(log.stats().queueDepth()).isZero();
    assertThat(ChainVerifier.verify(List.of(dir.resolve("access.log")), null).intact()).isTrue();
  }

  @Test
  void aFullQueueMakesNewRequestsWaitUntilTheWriterHasMadeRoom() throws Exception {
    ControllableSink sink = sink();
    sink.stall = new CountDownLatch(1);
    EventLog log = log(sink, 16, EventLog.FailurePolicy.DENY);
    for (int i = 0; i < 16; i++) {
      log.record(new TestEvent("e" + i));
    }
    assertThat(log.admission()).isEqualTo(EventLog.Admission.WAIT);

    CompletableFuture<EventLog.Admission> resumed = new CompletableFuture<>();
    log.whenRoom(executor, () -> resumed.complete(log.admission()));
    assertThat(resumed).isNotDone();
    assertThat(log.stats().waitingRequests()).isEqualTo(1);

    sink.stall.countDown();

    assertThat(resumed.get(10, TimeUnit.SECONDS)).isEqualTo(EventLog.Admission.NOW);
    await(log.flush());
    assertThat(log.stats().waitingRequests()).isZero();
    assertThat(log.stats().lost()).isZero();
    assertThat(lines()).hasSize(17);
  }

  @Test
  void aWaiterThatArrivesWhenThereIsRoomRunsAtOnce() throws Exception {
    EventLog log = log(sink(), 16, EventLog.FailurePolicy.DENY);
    CompletableFuture<Void> ran = new CompletableFuture<>();

    log.whenRoom(executor, () -> ran.complete(null));

    await(ran);
  }

  @Test
  void aFailingSinkMakesTheLogUnwritableAndWithDenyNewRequestsAreRefused() throws Exception {
    ControllableSink sink = sink();
    EventLog log = log(sink, 1000, EventLog.FailurePolicy.DENY);
    log.record(new TestEvent("before"));
    await(log.flush());

    sink.failing = true;
    log.record(new TestEvent("lost"));
    await(log.flush());

    assertThat(log.stats().writable()).isFalse();
    assertThat(log.admission()).isEqualTo(EventLog.Admission.REFUSE);
    assertThat(log.stats().lost()).isEqualTo(1);
    assertThat(log.stats().writeFailures()).isEqualTo(1);
  }

  @Test
  void withServeNewRequestsPassWhileTheLogFailsAndTheLossIsCounted() throws Exception {
    ControllableSink sink = sink();
    EventLog log = log(sink, 1000, EventLog.FailurePolicy.SERVE);
    sink.failing = true;
    log.record(new TestEvent("lost"));
    await(log.flush());

    assertThat(log.stats().writable()).isFalse();
    assertThat(log.admission()).isEqualTo(EventLog.Admission.NOW);
    assertThat(log.stats().lost()).isEqualTo(2); // the file's opening line and the event
  }

  @Test
  void onceWritableAgainTheLogDeclaresTheLostEventsAndTheChainStillVerifies() throws Exception {
    ControllableSink sink = sink();
    EventLog log = log(sink, 1000, EventLog.FailurePolicy.DENY);
    log.record(new TestEvent("kept-1"));
    await(log.flush());
    sink.failing = true;
    log.record(new TestEvent("lost-1"));
    await(log.flush());
    log.record(new TestEvent("lost-2"));
    await(log.flush());

    sink.failing = false;
    log.record(new TestEvent("kept-2"));
    await(log.flush());

    assertThat(log.stats().writable()).isTrue();
    assertThat(log.admission()).isEqualTo(EventLog.Admission.NOW);
    List<JsonObject> lines = lines();
    assertThat(lines).extracting(l -> l.getString("type"))
        .containsExactly("log_file_opened", "test", "events_lost", "test");
    JsonObject declared = lines.get(2);
    assertThat(declared.getLong("first_seq")).isEqualTo(3);
    assertThat(declared.getLong("last_seq")).isEqualTo(5); // lost-1, the first declaration (lost with it), lost-2
    assertThat(declared.getLong("seq")).isEqualTo(6);
    assertThat(declared.getJsonArray("sinks").getList()).containsExactly(dir.resolve("access.log").toString());
    assertThat(declared.getString("error")).isEqualTo("No space left on device");
    ChainVerifier.Report report = ChainVerifier.verify(List.of(dir.resolve("access.log")), null);
    assertThat(report.intact()).as(String.valueOf(report.problem())).isTrue();
    assertThat(report.notes()).anyMatch(n -> n.contains("declared events seq 3..5 lost"));
  }

  @Test
  void aFailingLogRetriesOnItsOwnWhenNoEventsArrive() throws Exception {
    ControllableSink sink = sink();
    EventLog log = new EventLog(List.of(sink), new QueryRedactor(List.of()), null,
        new EventLog.Options(1000, EventLog.FailurePolicy.DENY, Duration.ofMillis(20)), clock);
    logs.add(log);
    sink.failing = true;
    log.record(new TestEvent("lost"));
    await(log.flush());
    assertThat(log.admission()).isEqualTo(EventLog.Admission.REFUSE);
    CompletableFuture<String> declared = new CompletableFuture<>();
    log.subscribe(e -> e.type().equals("events_lost"), executor, declared::complete);

    sink.failing = false;

    assertThat(declared.get(10, TimeUnit.SECONDS)).contains("\"type\":\"events_lost\"");
    assertThat(log.stats().writable()).isTrue();
  }

  @Test
  void subscribersGetMatchingLinesInOrderExactlyAsWritten() throws Exception {
    EventLog log = log(sink(), 1000, EventLog.FailurePolicy.DENY);
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> all = new CompletableFuture<>();
    Subscription s = log.subscribe(e -> e instanceof TestEvent t && t.name().startsWith("keep"), executor, line -> {
      received.add(line);
      if (received.size() == 100) {
        all.complete(null);
      }
    });
    for (int i = 0; i < 100; i++) {
      log.record(new TestEvent("keep" + i));
      log.record(new TestEvent("skip" + i));
    }

    await(all);
    await(log.flush());

    List<String> written = Files.readAllLines(dir.resolve("access.log")).stream().filter(l -> l.contains("keep")).toList();
    assertThat(received).containsExactlyElementsOf(written);
    assertThat(s.delivered()).isEqualTo(100);
    assertThat(s.missed()).isZero();
  }

  @Test
  void aStalledSubscriberMissesLinesButNeitherTheWriterNorTheLogWaitsForIt() throws Exception {
    EventLog log = log(sink(), 100_000, EventLog.FailurePolicy.DENY);
    CountDownLatch stalled = new CountDownLatch(1);
    executor.execute(() -> {
      try {
        stalled.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicLong delivered = new AtomicLong();
    AtomicLong missed = new AtomicLong();
    CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    int total = 10_000;
    log.subscribe(e -> e instanceof TestEvent, executor, new EventSubscriber() {
      @Override
      public void onEvent(String line) {
        if (delivered.incrementAndGet() + missed.get() == total) {
          caughtUp.complete(null);
        }
      }

      @Override
      public void onMissed(long count) {
        if (missed.addAndGet(count) + delivered.get() == total) {
          caughtUp.complete(null);
        }
      }
    });
    for (int i = 0; i < total; i++) {
      log.record(new TestEvent("e" + i));
    }

    await(log.flush()); // completes although the subscriber has not received a single line
    assertThat(lines()).hasSize(total + 1);

    stalled.countDown();
    await(caughtUp);
    assertThat(missed.get()).isPositive();
    assertThat(delivered.get()).isEqualTo(4096);
  }

  @Test
  void closingASubscriptionStopsDeliveryAndTellsTheSubscriber() throws Exception {
    EventLog log = log(sink(), 1000, EventLog.FailurePolicy.DENY);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Subscription s = log.subscribe(e -> true, executor, new EventSubscriber() {
      @Override
      public void onEvent(String line) {}

      @Override
      public void onClosed() {
        closed.complete(null);
      }
    });

    s.close();
    log.record(new TestEvent("after"));
    await(log.flush());

    await(closed);
    assertThat(s.delivered()).isZero();
  }

  @Test
  void anEventRecordedAfterCloseIsCountedLost() throws Exception {
    EventLog log = log(sink(), 1000, EventLog.FailurePolicy.DENY);
    log.close();
    logs.remove(log);

    log.record(new TestEvent("late"));

    assertThat(log.stats().lost()).isEqualTo(1);
  }
}

package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.audit.AccessEvent;
import dev.gatehouse.audit.EventLog;
import dev.gatehouse.audit.QueryRedactor;
import dev.gatehouse.audit.RotatingFileSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown closes the log only after every exchange that began has written its access event. */
class ExchangeRecorderTest {

  @TempDir
  Path dir;

  @Test
  void idleOnlyOnceTheLastOpenExchangeIsRecordedAndEachEventReachesLogAndObserver() throws Exception {
    EventLog log = new EventLog(List.of(RotatingFileSink.open(dir.resolve("access.log"), 1 << 20, Duration.ofDays(1),
        java.time.InstantSource.system())), new QueryRedactor(List.of()));
    List<AccessEvent> observed = new ArrayList<>();
    ExchangeRecorder recorder = new ExchangeRecorder(log, observed::add);
    recorder.opened();
    recorder.opened();

    recorder.record(event("first"));
    CompletableFuture<Void> idle = recorder.whenIdle();
    assertThat(idle).as("one exchange is still open").isNotDone();

    recorder.record(event("second"));
    assertThat(idle).isDone();
    assertThat(observed).extracting(AccessEvent::requestId).containsExactly("first", "second");
    log.close();
    assertThat(Files.readString(dir.resolve("access.log"))).contains("\"request_id\":\"first\"")
        .contains("\"request_id\":\"second\"");
  }

  @Test
  void idleAtOnceWhenNothingIsOpen() throws Exception {
    EventLog log = new EventLog(List.of(), new QueryRedactor(List.of()));
    ExchangeRecorder recorder = new ExchangeRecorder(log, e -> {});
    recorder.opened();
    recorder.record(event("done"));
    assertThat(recorder.whenIdle().get(1, TimeUnit.SECONDS)).isNull();
    log.close();
  }

  private static AccessEvent event(String requestId) {
    return new AccessEvent(Instant.EPOCH, requestId, requestId, "127.0.0.1", null, "TLSv1.3", "TLS_AES_128_GCM_SHA256",
        "1.1", null, "GET", "localhost", "/", null, "route", "v1", "bearer", "alice", null, null, "https://idp",
        List.of(), null, null, "allow", "allow[0]", "allowed", null, 200, 0, 2, 100, 50, "127.0.0.1:8080", 200, null);
  }
}

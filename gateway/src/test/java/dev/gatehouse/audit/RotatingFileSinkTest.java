package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileSinkTest {

  @TempDir
  Path dir;

  final MutableClock clock = new MutableClock();

  EventLog open(long maxSize, Duration maxAge) throws Exception {
    return new EventLog(List.of(RotatingFileSink.open(dir.resolve("access.log"), maxSize, maxAge, clock)),
        new QueryRedactor(List.of()), null, EventLog.Options.DEFAULTS, clock);
  }

  /** Closed files in name order, then the current one. */
  List<Path> files() throws Exception {
    try (var list = Files.list(dir)) {
      List<Path> files = new ArrayList<>(list.filter(p -> p.getFileName().toString().startsWith("access.log."))
          .sorted().toList());
      files.add(dir.resolve("access.log"));
      return files;
    }
  }

  static List<JsonObject> lines(Path file) throws Exception {
    return Files.readAllLines(file).stream().map(JsonObject::new).toList();
  }

  @Test
  void aFileThatWouldGrowPastItsSizeIsClosedAndTheNextOneLinksToIt() throws Exception {
    EventLog log = open(2048, Duration.ofDays(1));
    for (int i = 0; i < 40; i++) {
      log.record(new TestEvent("event-" + i));
    }
    log.close();

    List<Path> files = files();
    assertThat(files).hasSizeGreaterThan(3);
    for (int i = 0; i < files.size(); i++) {
      assertThat(Files.size(files.get(i))).isLessThanOrEqualTo(2048);
      JsonObject first = lines(files.get(i)).get(0);
      assertThat(first.getString("type")).isEqualTo("log_file_opened");
      assertThat(first.getString("file")).isEqualTo(dir.resolve("access.log").toString());
      if (i > 0) {
        List<JsonObject> before = lines(files.get(i - 1));
        assertThat(first.getString("reason")).isEqualTo("size");
        assertThat(first.getString("previous_file")).isEqualTo(files.get(i - 1).toString());
        assertThat(first.getString("prev")).isEqualTo(before.get(before.size() - 1).getString("hash"));
      }
    }
    List<Path> shuffled = new ArrayList<>(files);
    Collections.reverse(shuffled);
    ChainVerifier.Report report = ChainVerifier.verify(shuffled, null);
    assertThat(report.intact()).as(String.valueOf(report.problem())).isTrue();
    assertThat(report.order()).isEqualTo(files);
    assertThat(report.events()).isEqualTo(40 + files.size());
  }

  @Test
  void aFileOpenLongerThanItsMaximumAgeIsClosedAtTheNextEvent() throws Exception {
    EventLog log = open(100L << 20, Duration.ofMinutes(10));
    log.record(new TestEvent("early"));
    log.flush().get(10, TimeUnit.SECONDS);
    clock.advance(Duration.ofMinutes(10));
    log.record(new TestEvent("late"));
    log.close();

    List<Path> files = files();
    assertThat(files).hasSize(2);
    assertThat(lines(files.get(0))).extracting(l -> l.getString("type")).containsExactly("log_file_opened", "test");
    assertThat(lines(files.get(1)).get(0).getString("reason")).isEqualTo("age");
    assertThat(ChainVerifier.verify(files, null).intact()).isTrue();
  }

  @Test
  void atStartUpThePreviousRunsFileIsClosedAndTheNewOneContinuesItsChain() throws Exception {
    EventLog first = open(100L << 20, Duration.ofDays(1));
    first.record(new TestEvent("run-1"));
    first.close();
    EventLog second = open(100L << 20, Duration.ofDays(1));
    second.record(new TestEvent("run-2"));
    second.close();

    List<Path> files = files();
    assertThat(files).hasSize(2);
    List<JsonObject> old = lines(files.get(0));
    JsonObject opened = lines(files.get(1)).get(0);
    assertThat(opened.getString("reason")).isEqualTo("startup");
    assertThat(opened.getString("previous_file")).isEqualTo(files.get(0).toString());
    assertThat(opened.getString("prev")).isEqualTo(old.get(old.size() - 1).getString("hash"));
    assertThat(opened.getLong("seq")).isEqualTo(old.get(old.size() - 1).getLong("seq") + 1);
    assertThat(ChainVerifier.verify(files, null).intact()).isTrue();
  }

  @Test
  void anIncompleteLastLineLeftByACrashIsCutOffAndReported() throws Exception {
    EventLog first = open(100L << 20, Duration.ofDays(1));
    first.record(new TestEvent("run-1"));
    first.close();
    Files.writeString(dir.resolve("access.log"), "{\"time\":\"2025-01-31T09:1", StandardOpenOption.APPEND);

    EventLog second = open(100L << 20, Duration.ofDays(1));
    second.record(new TestEvent("run-2"));
    second.close();

    List<Path> files = files();
    assertThat(Files.readString(files.get(0))).endsWith("}\n");
    assertThat(lines(files.get(1)).get(0).getLong("truncated_bytes")).isEqualTo(24);
    assertThat(ChainVerifier.verify(files, null).intact()).isTrue();
  }

  @Test
  void aPathThatIsNotARegularFileIsWrittenAsAStream() throws Exception {
    RotatingFileSink sink = RotatingFileSink.open(Path.of("/dev/null"), 1024, Duration.ofMinutes(1), clock);
    EventLog log = new EventLog(List.of(sink), new QueryRedactor(List.of()), null, EventLog.Options.DEFAULTS, clock);
    for (int i = 0; i < 100; i++) {
      log.record(new TestEvent("e" + i));
    }
    log.close();

    assertThat(sink.anchor()).isNull();
    assertThat(log.stats().written()).isEqualTo(100);
    assertThat(Path.of("/dev/null")).exists();
  }
}

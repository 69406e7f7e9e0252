package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a log can be tampered with, and what verification says about each. */
class ChainVerifierTest {

  @TempDir
  Path dir;

  final MutableClock clock = new MutableClock();
  List<String> lines;

  /** A log of one file: log_file_opened (line 1), events e1..e8 (lines 2..9). */
  @BeforeEach
  void writeLog() throws Exception {
    lines = write(dir.resolve("original.log"), null, 8);
  }

  List<String> write(Path file, ChainKey key, int events) throws Exception {
    EventLog log = new EventLog(List.of(RotatingFileSink.open(file, 100L << 20, Duration.ofDays(1), clock)),
        new QueryRedactor(List.of()), key, EventLog.Options.DEFAULTS, clock);
    for (int i = 1; i <= events; i++) {
      log.record(new TestEvent("e" + i));
    }
    log.close();
    return Files.readAllLines(file);
  }

  ChainVerifier.Report verify(List<String> content) throws Exception {
    return verify(content, null);
  }

  ChainVerifier.Report verify(List<String> content, ChainKey key) throws Exception {
    Path file = dir.resolve("checked.log");
    Files.write(file, content);
    return ChainVerifier.verify(List.of(file), key);
  }

  static String problem(ChainVerifier.Report report) {
    assertThat(report.intact()).as("the verifier should have found a problem").isFalse();
    return report.problem().line() + ": " + report.problem().message();
  }

  @Test
  void anUntouchedLogIsIntact() throws Exception {
    ChainVerifier.Report report = verify(lines);

    assertThat(report.intact()).isTrue();
    assertThat(report.events()).isEqualTo(9);
    assertThat(report.firstSeq()).isEqualTo(1);
    assertThat(report.lastSeq()).isEqualTo(9);
    assertThat(report.lastHash()).isEqualTo(ChainFormat.storedHash(lines.get(8)));
    assertThat(report.notes()).singleElement().asString().endsWith(":1: the chain starts here");
  }

  @Test
  void aModifiedEventIsNamed() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.set(4, tampered.get(4).replace("\"name\":\"e4\"", "\"name\":\"e9\""));

    assertThat(problem(verify(tampered))).matches("5: event \\w+-5 \\(seq 5, test, 2\\S+Z\\) was modified: its "
        + "content does not match its hash");
  }

  @Test
  void aModifiedEventWhoseHashWasRecomputedIsNamed() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.set(4, ChainFormat.rehashed(tampered.get(4).replace("\"name\":\"e4\"", "\"name\":\"e9\"")));

    assertThat(problem(verify(tampered))).matches("5: event \\S+ \\(seq 5, .*\\) was modified: its hash was "
        + "recomputed, but the next event links to the original");
  }

  @Test
  void aRemovedEventIsNamedBySeq() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.remove(4);

    assertThat(problem(verify(tampered))).matches("5: 1 event\\(s\\) \\(seq 5..5\\) were removed before event \\S+ "
        + "\\(seq 6, .*\\)");
  }

  @Test
  void aCopiedEventInsertedElsewhereIsNamed() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.add(7, lines.get(2));

    assertThat(problem(verify(tampered))).matches("8: event \\S+ \\(seq 3, .*\\) was inserted: the next event links "
        + "to the one before it");
  }

  @Test
  void aForgedEventWithADuplicateSeqIsNamed() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.add(6, ChainFormat.rehashed(ChainFormat.withPrev(lines.get(5).replace("\"name\":\"e5\"", "\"name\":\"x\""),
        ChainFormat.storedHash(lines.get(5)))));

    assertThat(problem(verify(tampered))).matches("7: event \\S+ \\(seq 6, .*\\) was inserted: the next event links "
        + "to the one before it");
  }

  @Test
  void aForgedEventLinkedAndHashedLikeARealOneIsNamed() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    String forged = ChainFormat.rehashed(ChainFormat.withPrev(lines.get(5).replace("\"name\":\"e5\"", "\"name\":\"x\"")
        .replace("\"seq\":6", "\"seq\":7").replace("-6\"", "-7\""), ChainFormat.storedHash(lines.get(5))));
    tampered.add(6, forged);

    assertThat(problem(verify(tampered))).matches("7: event \\S+-7 \\(seq 7, .*\\) was inserted: the next event "
        + "links to the one before it");
  }

  @Test
  void swappedEventsAreNamed() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.set(4, lines.get(5));
    tampered.set(5, lines.get(4));

    assertThat(problem(verify(tampered))).matches("5: event \\S+ \\(seq 6, .*\\) is out of order: it belongs after "
        + "the next line \\(events were reordered\\)");
  }

  @Test
  void anEventMovedFurtherAwayIsOutOfOrder() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    String moved = tampered.remove(2);
    tampered.add(6, moved);

    assertThat(verify(tampered).intact()).isFalse();
  }

  @Test
  void aDamagedLineIsReported() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.set(3, "not json at all");

    assertThat(problem(verify(tampered))).isEqualTo("4: not a chained event line (damaged, or not written by the "
        + "gateway)");
  }

  @Test
  void aLineWithADuplicateMemberIsRefused() throws Exception {
    List<String> tampered = new ArrayList<>(lines);
    tampered.set(3, ChainFormat.rehashed(tampered.get(3).replace("{\"time\"", "{\"name\":\"x\",\"time\"")));
    tampered.set(3, tampered.get(3).replace("\"name\":\"x\",", "\"name\":\"x\",\"name\":\"y\","));

    assertThat(problem(verify(tampered))).startsWith("4: not a chained event line");
  }

  @Test
  void aKeyedLogNeedsItsKey() throws Exception {
    ChainKey key = ChainKey.fromText("k".repeat(40), "test");
    ChainKey other = ChainKey.fromText("o".repeat(40), "test");
    List<String> keyed = write(dir.resolve("keyed.log"), key, 3);

    assertThat(verify(keyed, key).intact()).isTrue();
    assertThat(verify(keyed, key).algorithm()).isEqualTo("hmac-sha256");
    assertThat(problem(verify(keyed))).endsWith("does not match its hash (this log is keyed: hmac-sha256 with key id "
        + key.id() + "; pass --key-file)");
    assertThat(problem(verify(keyed, other))).endsWith("(this log was written with key id " + key.id()
        + ", the given key's id is " + other.id() + ")");
  }

  @Test
  void aRecomputedPlainChainCannotPassForAKeyedOne() throws Exception {
    ChainKey key = ChainKey.fromText("k".repeat(40), "test");
    List<String> keyed = write(dir.resolve("keyed.log"), key, 3);
    List<String> forged = new ArrayList<>();
    String prev = HashChain.GENESIS;
    for (String line : keyed) {
      String relinked = ChainFormat.rehashed(ChainFormat.withPrev(line, prev));
      forged.add(relinked);
      prev = ChainFormat.storedHash(relinked);
    }

    assertThat(verify(forged).intact()).as("a plain chain verifies without a key").isTrue();
    assertThat(problem(verify(forged, key))).startsWith("1: event");
  }

  @Test
  void aRestartWithoutAPreviousFileStartsANewChainAndIsNoted() throws Exception {
    List<String> first = streamOf("first run");
    List<String> second = streamOf("second run");
    List<String> both = new ArrayList<>(first);
    both.addAll(second);

    ChainVerifier.Report report = verify(both);

    assertThat(report.intact()).as(String.valueOf(report.problem())).isTrue();
    assertThat(report.notes()).anyMatch(n -> n.endsWith(":" + (first.size() + 1)
        + ": the gateway restarted without a previous file to continue; a new chain starts here"));
  }

  /** What a stdout collector captures of one run: no file to continue, so the chain starts at the start-up event. */
  List<String> streamOf(String name) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    EventLog log = new EventLog(List.of(new StdoutSink(out)), new QueryRedactor(List.of()), null,
        EventLog.Options.DEFAULTS, clock);
    log.record(new StartupEvent(clock.instant(), "test", "gatehouse.yaml", "00", "p1", "0.0.0.0:8443", "sha256", null,
        "deny", List.of("stdout")));
    log.record(new TestEvent(name));
    log.close();
    return List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
  }

  @Test
  void anIncompleteLineIsAProblemInAnEarlierFileAndANoteInTheLastOne() throws Exception {
    Path a = dir.resolve("a.log");
    Path b = dir.resolve("b.log");
    Files.writeString(a, String.join("\n", lines.subList(0, 5)) + "\n" + lines.get(5).substring(0, 30));
    Files.writeString(b, String.join("\n", lines.subList(5, 9)) + "\n");

    assertThat(ChainVerifier.verify(List.of(a, b), null).problem().message())
        .isEqualTo("the last line is incomplete: the file was cut short");

    Files.writeString(b, String.join("\n", lines.subList(0, 5)) + "\n" + lines.get(5).substring(0, 30));
    ChainVerifier.Report report = ChainVerifier.verify(List.of(b), null);
    assertThat(report.intact()).isTrue();
    assertThat(report.notes()).anyMatch(n -> n.endsWith(":6: the last line is incomplete (still being written?); not checked"));
  }

  @Test
  void filesAreCheckedInChainOrderAndAMissingFileIsNamed() throws Exception {
    Path a = dir.resolve("a.log");
    Path b = dir.resolve("b.log");
    Path c = dir.resolve("c.log");
    Files.write(a, lines.subList(0, 3));
    Files.write(b, lines.subList(3, 6));
    Files.write(c, lines.subList(6, 9));

    assertThat(ChainVerifier.verify(List.of(c, a, b), null).intact()).isTrue();
    assertThat(ChainVerifier.verify(List.of(c, a, b), null).order()).containsExactly(a, b, c);
    ChainVerifier.Report missing = ChainVerifier.verify(List.of(a, c), null);
    assertThat(missing.problem().file()).isEqualTo(c);
    assertThat(missing.problem().message()).startsWith("between " + a + " and " + c + ": 3 event(s) (seq 4..6) are "
        + "missing: a file is missing in between, or " + a + " was cut short");
  }

  @Test
  void aFileFromAnotherLogIsNamed() throws Exception {
    Path mine = dir.resolve("mine.log");
    Path theirs = dir.resolve("theirs.log");
    Files.write(mine, lines.subList(0, 3));
    List<String> other = write(dir.resolve("other-original.log"), null, 8);
    Files.write(theirs, other.subList(3, 9));

    ChainVerifier.Report report = ChainVerifier.verify(List.of(mine, theirs), null);

    assertThat(report.problem().file()).isEqualTo(theirs);
    assertThat(report.problem().message()).isEqualTo("between " + mine + " and " + theirs + ": " + theirs
        + " does not continue " + mine + " (a file from another log, or an event at the boundary was modified)");
    Files.write(theirs, other.subList(0, 9));
    assertThat(ChainVerifier.verify(List.of(theirs, mine), null).problem().message())
        .startsWith(mine + " starts a new chain: it does not continue " + theirs);
  }
}

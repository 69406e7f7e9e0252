package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.GatewayProcess;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse verify-log} as operators run it (the real jar) on logs written by a real gateway: an untouched
 * log passes, and each kind of tampering is pinpointed with the file, line and event.
 */
class VerifyLogIT {

  @TempDir
  static Path work;

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static String token;
  /** Lines of a plain (SHA-256) log: start-up, a dozen requests, shutdown. */
  static List<String> log;

  @BeforeAll
  static void writeALog() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    token = idp.token("ursula", Map.of("groups", List.of("staff")));
    Path dir;
    try (TestGateway gateway = start("stdout: false\nfile: access.log")) {
      traffic(gateway, 12);
      dir = gateway.dir();
    }
    log = read(dir.resolve("access.log"));
  }

  @AfterAll
  static void stop() {
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  static TestGateway start(String accessLog) {
    return TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("accessLog", accessLog).start();
  }

  static void traffic(TestGateway gateway, int requests) {
    for (int i = 0; i < requests; i++) {
      gateway.get(i % 3 == 0 ? "/billing/x" : "/allowed/x?page=" + i, token);
    }
    upstream.drain();
  }

  static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Path write(String name, List<String> lines) throws Exception {
    return Files.write(work.resolve(name), lines);
  }

  static GatewayProcess.Finished verifyLog(Object... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("verify-log"));
    for (Object a : args) {
      command.add(a.toString());
    }
    return GatewayProcess.run(command.toArray(String[]::new));
  }

  /** Index of the first access event that the upstream answered with 200. */
  static int firstServedAccessEvent() {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains("\"type\":\"access\"") && log.get(i).contains("\"status\":200")) {
        return i;
      }
    }
    throw new AssertionError("no served request in the log");
  }

  static String eventId(String line) {
    return new JsonObject(line).getString("event_id");
  }

  @Test
  void anUntouchedLogIsIntact() throws Exception {
    assertThat(new JsonObject(log.get(0)).getString("type")).isEqualTo("log_file_opened");
    assertThat(new JsonObject(log.get(1)).getString("type")).isEqualTo("startup");
    assertThat(new JsonObject(log.get(log.size() - 1)).getString("type")).isEqualTo("shutdown");

    GatewayProcess.Finished r = verifyLog(write("intact.log", log));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("intact: " + log.size() + " event(s), seq 1.." + log.size() + ", sha256 chain, 1 file(s)");
  }

  @Test
  void aModifiedEventIsPinpointed() throws Exception {
    List<String> tampered = new ArrayList<>(log);
    int i = firstServedAccessEvent();
    tampered.set(i, log.get(i).replace("\"status\":200", "\"status\":403"));
    Path file = write("modified.log", tampered);

    GatewayProcess.Finished r = verifyLog(file);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains(file + ":" + (i + 1) + ": event " + eventId(log.get(i)) + " (seq " + (i + 1)
        + ", access, ").contains(") was modified: its content does not match its hash");
  }

  @Test
  void aDeletedEventIsPinpointed() throws Exception {
    List<String> tampered = new ArrayList<>(log);
    int i = firstServedAccessEvent();
    tampered.remove(i);
    Path file = write("deleted.log", tampered);

    GatewayProcess.Finished r = verifyLog(file);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains(file + ":" + (i + 1) + ": 1 event(s) (seq " + (i + 1) + ".." + (i + 1)
        + ") were removed before event " + eventId(log.get(i + 1)));
  }

  @Test
  void anInsertedEventIsPinpointed() throws Exception {
    List<String> tampered = new ArrayList<>(log);
    int i = firstServedAccessEvent();
    tampered.add(i + 4, log.get(i)); // the same request "happened" again later
    Path file = write("inserted.log", tampered);

    GatewayProcess.Finished r = verifyLog(file);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains(file + ":" + (i + 5) + ": event " + eventId(log.get(i)) + " (seq " + (i + 1)
        + ", access, ").contains(") was inserted: the next event links to the one before it");
  }

  @Test
  void swappedEventsArePinpointed() throws Exception {
    List<String> tampered = new ArrayList<>(log);
    int i = firstServedAccessEvent();
    Collections.swap(tampered, i, i + 1);
    Path file = write("swapped.log", tampered);

    GatewayProcess.Finished r = verifyLog(file);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains(file + ":" + (i + 1) + ": event " + eventId(log.get(i + 1)) + " (seq " + (i + 2)
        + ", access, ").contains(") is out of order: it belongs after the next line (events were reordered)");
  }

  @Test
  void filesRotatedBySizeAndAcrossARestartFormOneChainAndAMissingOrForeignFileIsNamed() throws Exception {
    Path dir;
    try (TestGateway gateway = start("stdout: false\nfile:\n  path: access.log\n  maxSize: 2KiB")) {
      traffic(gateway, 12);
      dir = gateway.dir();
    }
    // the real jar restarted on the same configuration continues the chain in a new file
    try (GatewayProcess restarted = GatewayProcess.start(List.of(), "run", "--config",
        dir.resolve("gatehouse.yaml").toString())) {
      restarted.awaitListening();
      assertThat(restarted.stop()).isZero();
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().startsWith("access.log")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(4);
    List<Path> shuffled = new ArrayList<>(files);
    Collections.shuffle(shuffled, new java.util.Random(7));

    GatewayProcess.Finished intact = verifyLog(shuffled.toArray());

    assertThat(intact.exitCode()).as(intact.stderr()).isZero();
    assertThat(intact.stdout()).contains("sha256 chain, " + files.size() + " file(s)");
    JsonObject restart = new JsonObject(read(dir.resolve("access.log")).get(0));
    assertThat(restart.getString("reason")).isEqualTo("startup");
    assertThat(restart.getString("previous_file")).startsWith(dir.resolve("access.log.").toString());

    List<Path> gap = new ArrayList<>(files);
    Path missing = gap.remove(2);
    GatewayProcess.Finished withGap = verifyLog(gap.toArray());

    assertThat(withGap.exitCode()).isEqualTo(1);
    assertThat(withGap.stderr()).contains("between " + files.get(1) + " and " + files.get(3) + ": ")
        .contains("are missing: a file is missing in between, or " + files.get(1) + " was cut short");
    assertThat(missing).exists();

    List<Path> foreign = new ArrayList<>(files.subList(0, 2));
    foreign.add(write("foreign.log", log));
    GatewayProcess.Finished withForeign = verifyLog(foreign.toArray());

    assertThat(withForeign.exitCode()).isEqualTo(1);
    assertThat(withForeign.stderr()).contains(work.resolve("foreign.log") + " starts a new chain: it does not continue "
        + files.get(1));
  }

  @Test
  void aKeyedLogVerifiesOnlyWithItsKey() throws Exception {
    Path key = Files.writeString(work.resolve("chain.key"), "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6\n");
    Path otherKey = Files.writeString(work.resolve("other.key"), "x".repeat(64) + "\n");
    Path file;
    try (TestGateway gateway = start("stdout: false\nfile: access.log\nhmacKeyFile: " + key)) {
      traffic(gateway, 3);
      file = gateway.dir().resolve("access.log");
    }

    GatewayProcess.Finished withKey = verifyLog("--key-file", key, file);
    GatewayProcess.Finished withoutKey = verifyLog(file);
    GatewayProcess.Finished withAnotherKey = verifyLog("--key-file", otherKey, file);

    assertThat(withKey.exitCode()).as(withKey.stderr()).isZero();
    assertThat(withKey.stdout()).contains("hmac-sha256 chain");
    assertThat(withoutKey.exitCode()).isEqualTo(1);
    assertThat(withoutKey.stderr()).contains("(this log is keyed: hmac-sha256 with key id ").contains("; pass --key-file)");
    assertThat(withAnotherKey.exitCode()).isEqualTo(1);
    assertThat(withAnotherKey.stderr()).contains("(this log was written with key id ");
  }

  @Test
  void anUnreadableFileOrKeyExitsWithTwo() throws Exception {
    assertThat(verifyLog(work.resolve("no-such.log")).exitCode()).isEqualTo(2);
    Path file = write("for-key.log", log);
    GatewayProcess.Finished shortKey = verifyLog("--key-file", Files.writeString(work.resolve("short.key"), "abc"), file);
    assertThat(shortKey.exitCode()).isEqualTo(2);
    assertThat(shortKey.stderr()).contains("has 3 bytes (expected: at least 32");
  }
}

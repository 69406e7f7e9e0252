package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.TestPki;
import dev.gatehouse.tls.Pem;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate and key reload/rotation audit events, as the reloaders (built later) will record them. */
class KeyMaterialEventsTest {

  @TempDir
  Path dir;

  static final Instant NOW = Instant.parse("2025-01-31T09:15:02.042Z");

  List<JsonObject> recorded(AuditEvent... events) throws Exception {
    Path file = dir.resolve("access.log");
    EventLog log = new EventLog(List.of(RotatingFileSink.open(file, 1 << 20, Duration.ofDays(1), () -> NOW)),
        new QueryRedactor(List.of()), null, EventLog.Options.DEFAULTS, () -> NOW);
    for (AuditEvent e : events) {
      log.record(e);
    }
    log.close();
    assertThat(ChainVerifier.verify(List.of(file), null).intact()).isTrue();
    List<JsonObject> lines = Files.readAllLines(file).stream().map(JsonObject::new).toList();
    return lines.subList(1, lines.size());
  }

  @Test
  void anAppliedCertificateReloadNamesTheNewAndTheOldCertificate() throws Exception {
    X509Certificate now = Pem.readCertificates(TestPki.server().certificate()).get(0);
    X509Certificate before = Pem.readCertificates(TestPki.otherServer("old").certificate()).get(0);

    JsonObject e = recorded(CertificateReloadEvent.applied(NOW, "file-change", Path.of("/tls/server.crt"),
        Path.of("/tls/server.key"), now, before)).get(0);

    assertThat(e.getString("type")).isEqualTo("certificate_reload");
    assertThat(e.getString("time")).isEqualTo("2025-01-31T09:15:02.042Z");
    assertThat(e.getString("trigger")).isEqualTo("file-change");
    assertThat(e.getString("result")).isEqualTo("applied");
    assertThat(e.getString("certificate_file")).isEqualTo("/tls/server.crt");
    assertThat(e.getString("key_file")).isEqualTo("/tls/server.key");
    assertThat(e.getString("subject")).isEqualTo(now.getSubjectX500Principal().getName());
    assertThat(e.getString("serial")).isEqualTo(now.getSerialNumber().toString(16));
    assertThat(e.getString("not_after")).isEqualTo(EventSerializer.timestamp(now.getNotAfter().toInstant()));
    assertThat(e.getString("sha256")).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(now.getEncoded())));
    assertThat(e.getString("previous_sha256")).isEqualTo(CertificateReloadEvent.fingerprint(before));
    assertThat(e.containsKey("error")).isFalse();
  }

  @Test
  void aRejectedCertificateReloadSaysWhyAndWhichCertificateStays() throws Exception {
    X509Certificate kept = Pem.readCertificates(TestPki.server().certificate()).get(0);

    JsonObject e = recorded(CertificateReloadEvent.rejected(NOW, "file-change", Path.of("/tls/server.crt"),
        Path.of("/tls/server.key"), "the server certificate's RSA key has 2048 bits", kept)).get(0);

    assertThat(e.getString("result")).isEqualTo("rejected");
    assertThat(e.getString("error")).isEqualTo("the server certificate's RSA key has 2048 bits");
    assertThat(e.getString("sha256")).isEqualTo(CertificateReloadEvent.fingerprint(kept));
  }

  @Test
  void keyRotationEventsCarryKeyIdsOnly() throws Exception {
    List<JsonObject> events = recorded(
        KeyRotationEvent.between(NOW, "assertion-signing", "schedule", "ES256", "k-2025-01", "k-2025-02",
            List.of("k-2024-12", "k-2025-01", "k-2025-02"), List.of("k-2025-01", "k-2025-02", "k-2025-03")),
        KeyRotationEvent.between(NOW, "session-cookie", "file-change", "A256GCM", "c-7", "c-7", List.of("c-7"),
            List.of("c-7", "c-8")),
        KeyRotationEvent.failed(NOW, "session-cookie", "file-change", "c-7", "keys[0]: a 24-bit key"));

    JsonObject rotated = events.get(0);
    assertThat(rotated.getString("type")).isEqualTo("key_rotation");
    assertThat(rotated.getString("purpose")).isEqualTo("assertion-signing");
    assertThat(rotated.getString("trigger")).isEqualTo("schedule");
    assertThat(rotated.getString("result")).isEqualTo("rotated");
    assertThat(rotated.getString("algorithm")).isEqualTo("ES256");
    assertThat(rotated.getString("key_id")).isEqualTo("k-2025-02");
    assertThat(rotated.getString("previous_key_id")).isEqualTo("k-2025-01");
    assertThat(rotated.getJsonArray("added_key_ids").getList()).containsExactly("k-2025-03");
    assertThat(rotated.getJsonArray("retired_key_ids").getList()).containsExactly("k-2024-12");
    JsonObject updated = events.get(1);
    assertThat(updated.getString("result")).as("the same key still encrypts").isEqualTo("updated");
    assertThat(updated.getJsonArray("added_key_ids").getList()).containsExactly("c-8");
    assertThat(updated.containsKey("retired_key_ids")).isFalse();
    JsonObject failed = events.get(2);
    assertThat(failed.getString("result")).isEqualTo("failed");
    assertThat(failed.getString("key_id")).isEqualTo("c-7");
    assertThat(failed.getString("error")).isEqualTo("keys[0]: a 24-bit key");
  }

  @Test
  void adminActionsAreAuditEventsToo() throws Exception {
    JsonObject e = recorded(new AdminActionEvent(NOW, "r-1", "CN=ops-alice", "10.0.0.5", "policy.reload", null, "ok",
        "policy 3f2a applied")).get(0);

    assertThat(e.getString("type")).isEqualTo("admin_action");
    assertThat(e.getString("actor")).isEqualTo("CN=ops-alice");
    assertThat(e.getString("action")).isEqualTo("policy.reload");
    assertThat(e.getString("result")).isEqualTo("ok");
  }
}

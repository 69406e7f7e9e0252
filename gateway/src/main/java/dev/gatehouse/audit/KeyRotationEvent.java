package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One of the gateway's own keys (the identity assertion signing key, the session cookie key) was rotated, or a
 * rotation failed and the old key stays in use. Carries key ids only, never key material. Build it with {@link
 * #rotated} or {@link #failed}.
 *
 * @param purpose which key, e.g. {@code assertion-signing}, {@code session-cookie}
 * @param result {@code rotated} or {@code failed}
 * @param keyId the key now used for new signatures or cookies
 * @param previousKeyId the key used before, still accepted during the overlap
 * @param retiredKeyIds keys no longer accepted after this rotation
 */
public record KeyRotationEvent(Instant time, String purpose, String trigger, String result, String algorithm,
    String keyId, String previousKeyId, List<String> retiredKeyIds, String error) implements AuditEvent {

  public static final String TYPE = "key_rotation";

  public KeyRotationEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(result, "result");
    retiredKeyIds = retiredKeyIds == null ? List.of() : List.copyOf(retiredKeyIds);
  }

  public static KeyRotationEvent rotated(Instant time, String purpose, String trigger, String algorithm, String keyId,
      String previousKeyId, List<String> retiredKeyIds) {
    Objects.requireNonNull(keyId, "keyId");
    return new KeyRotationEvent(time, purpose, trigger, "rotated", algorithm, keyId, previousKeyId, retiredKeyIds, null);
  }

  /** @param keptKeyId the key that stays in use */
  public static KeyRotationEvent failed(Instant time, String purpose, String trigger, String keptKeyId, String error) {
    Objects.requireNonNull(error, "error");
    return new KeyRotationEvent(time, purpose, trigger, "failed", null, keptKeyId, null, List.of(), error);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("purpose", purpose);
    AccessEvent.string(g, "trigger", trigger);
    g.writeStringField("result", result);
    AccessEvent.string(g, "algorithm", algorithm);
    AccessEvent.string(g, "key_id", keyId);
    AccessEvent.string(g, "previous_key_id", previousKeyId);
    if (!retiredKeyIds.isEmpty()) {
      g.writeArrayFieldStart("retired_key_ids");
      for (String id : retiredKeyIds) {
        g.writeString(id);
      }
      g.writeEndArray();
    }
    AccessEvent.string(g, "error", error);
  }
}

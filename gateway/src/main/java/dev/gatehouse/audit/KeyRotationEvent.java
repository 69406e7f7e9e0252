package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's own keys (the identity assertion signing keys, the session cookie keys) changed, or a changed key file
 * was refused and the keys in force stay. Carries key ids only, never key material. Build it with {@link #between} or
 * {@link #failed}.
 *
 * @param purpose which keys: {@code assertion-signing} or {@code session-cookie}
 * @param trigger {@code file-change} (the key file changed) or {@code schedule} (a key's {@code nbf} or {@code exp}
 *     passed)
 * @param result {@code rotated} (another key signs or encrypts now), {@code updated} (the same key does, but keys were
 *     added or removed) or {@code failed}
 * @param keyId the key now used for new signatures or cookies (on failure: the one that stays in use)
 * @param previousKeyId the key used before
 * @param addedKeyIds keys accepted from now on that were not before
 * @param retiredKeyIds keys no longer accepted
 */
public record KeyRotationEvent(Instant time, String purpose, String trigger, String result, String algorithm,
    String keyId, String previousKeyId, List<String> addedKeyIds, List<String> retiredKeyIds, String error)
    implements AuditEvent {

  public static final String TYPE = "key_rotation";

  public KeyRotationEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(result, "result");
    addedKeyIds = addedKeyIds == null ? List.of() : List.copyOf(addedKeyIds);
    retiredKeyIds = retiredKeyIds == null ? List.of() : List.copyOf(retiredKeyIds);
  }

  /**
   * What changed between two sets of keys.
   *
   * @param previousKeyIds the keys accepted before, {@code keyIds} those accepted now
   */
  public static KeyRotationEvent between(Instant time, String purpose, String trigger, String algorithm,
      String previousKeyId, String keyId, List<String> previousKeyIds, List<String> keyIds) {
    String result = Objects.equals(previousKeyId, keyId) ? "updated" : "rotated";
    return new KeyRotationEvent(time, purpose, trigger, result, algorithm, keyId, previousKeyId,
        keyIds.stream().filter(id -> !previousKeyIds.contains(id)).toList(),
        previousKeyIds.stream().filter(id -> !keyIds.contains(id)).toList(), null);
  }

  /** @param keptKeyId the key that stays in use */
  public static KeyRotationEvent failed(Instant time, String purpose, String trigger, String keptKeyId, String error) {
    Objects.requireNonNull(error, "error");
    return new KeyRotationEvent(time, purpose, trigger, "failed", null, keptKeyId, null, List.of(), List.of(), error);
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
    ids(g, "added_key_ids", addedKeyIds);
    ids(g, "retired_key_ids", retiredKeyIds);
    AccessEvent.string(g, "error", error);
  }

  private static void ids(JsonGenerator g, String name, List<String> ids) throws IOException {
    if (!ids.isEmpty()) {
      g.writeArrayFieldStart(name);
      for (String id : ids) {
        g.writeString(id);
      }
      g.writeEndArray();
    }
  }
}

package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The first line of every event file. Its {@code prev} is the hash of the last event of the file before it, which
 * is how files link into one chain.
 *
 * @param previousFile the closed file this one continues, or null
 * @param reason {@code startup}, {@code size} or {@code age}
 * @param truncatedBytes an incomplete last line cut off the previous file at start-up (0 when none)
 */
record LogFileOpenedEvent(Instant time, Path file, Path previousFile, String reason, long truncatedBytes,
    String chain, String keyId) implements AuditEvent {

  static final String TYPE = "log_file_opened";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("file", file.toString());
    if (previousFile != null) {
      g.writeStringField("previous_file", previousFile.toString());
    }
    g.writeStringField("reason", reason);
    if (truncatedBytes > 0) {
      g.writeNumberField("truncated_bytes", truncatedBytes);
    }
    g.writeStringField("chain", chain);
    if (keyId != null) {
      g.writeStringField("key_id", keyId);
    }
  }
}

package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes an event as one compact JSON object: the envelope ({@code time}, {@code type}, {@code event_id},
 * {@code seq}), the event's own fields, then placeholders for {@code prev} and {@code hash} that {@link HashChain}
 * fills in. Duplicate member names are refused, so no event can shadow an envelope or chain field. Confined to the
 * writer thread.
 */
final class EventSerializer {

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamWriteFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final String PLACEHOLDER = "0".repeat(64);

  private final QueryRedactor redactor;
  private final String instance;
  private final ByteArrayBuilder buffer = new ByteArrayBuilder(4096);

  /** @param instance this process's prefix for event ids */
  EventSerializer(QueryRedactor redactor, String instance) {
    this.redactor = redactor;
    this.instance = instance;
  }

  /** Always UTC with exactly three fraction digits: {@code 2025-01-31T09:15:02.042Z}. */
  static String timestamp(Instant time) {
    return TIME.format(time);
  }

  byte[] serialize(AuditEvent event, long seq) throws IOException {
    buffer.reset();
    try (JsonGenerator g = JSON.createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("time", timestamp(event.time()));
      g.writeStringField("type", event.type());
      g.writeStringField("event_id", instance + "-" + seq);
      g.writeNumberField("seq", seq);
      event.writeFields(g, redactor);
      g.writeStringField("prev", PLACEHOLDER);
      g.writeStringField("hash", PLACEHOLDER);
      g.writeEndObject();
    }
    return buffer.toByteArray();
  }
}

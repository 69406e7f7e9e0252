package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/** Something that goes into the event stream: a request, a reload, a start-up. Immutable once recorded. */
public interface AuditEvent {

  /** The event type, e.g. {@code access}, {@code policy_reload}. */
  String type();

  Instant time();

  /** Writes the event's own fields; the log writes {@code time}, {@code type} and {@code event_id} before them. */
  void writeFields(JsonGenerator json, QueryRedactor redactor) throws IOException;
}

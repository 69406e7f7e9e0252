package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/** A minimal event for log tests. */
record TestEvent(Instant time, String name) implements AuditEvent {

  TestEvent(String name) {
    this(Instant.parse("2025-01-31T09:15:02.042123Z"), name);
  }

  @Override
  public String type() {
    return "test";
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("name", name);
  }
}

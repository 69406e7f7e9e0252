package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/**
 * The gateway stopped listening and every request's event was recorded; the last event of a clean run. A log whose
 * last run does not end with one was cut short (a crash, a kill, or a truncated file).
 *
 * @param reason {@code stopped} (a clean stop) or {@code start-failed} (start-up failed after the log opened)
 * @param uptimeMillis since the start-up event
 * @param eventsWritten lines written to every sink during this run, before this event
 * @param eventsLost events lost during this run
 */
public record ShutdownEvent(Instant time, String reason, String policyVersion, long uptimeMillis, long eventsWritten,
    long eventsLost) implements AuditEvent {

  public static final String TYPE = "shutdown";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("reason", reason);
    g.writeStringField("policy_version", policyVersion);
    g.writeNumberField("uptime_ms", uptimeMillis);
    g.writeNumberField("events_written", eventsWritten);
    g.writeNumberField("events_lost", eventsLost);
  }
}

package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/**
 * A request to the admin listener: who (the client certificate's subject, when one was presented), what, and the
 * answer. Admin actions that change something are also {@code admin_action} events.
 */
public record AdminAccessEvent(Instant time, String requestId, String clientAddress, String clientCertificate,
    String method, String path, String query, int status, String reason, long durationMicros, String userAgent)
    implements AuditEvent {

  public static final String TYPE = "admin_access";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("request_id", requestId);
    AccessEvent.string(g, "client_address", clientAddress);
    AccessEvent.string(g, "client_certificate", clientCertificate);
    g.writeStringField("method", method);
    g.writeStringField("path", path);
    AccessEvent.string(g, "query", redactor.redact(query));
    g.writeNumberField("status", status);
    AccessEvent.string(g, "reason", reason);
    g.writeNumberField("duration_ms", durationMicros / 1000.0);
    AccessEvent.string(g, "user_agent", userAgent);
  }
}

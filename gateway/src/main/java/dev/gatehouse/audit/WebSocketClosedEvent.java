package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/**
 * The end of a WebSocket tunnel: who closed it and why, how long it was open and how much it carried. Its upgrade
 * request has its own access event with the same request id.
 *
 * @param closedBy {@code client}, {@code upstream} or {@code gateway}
 * @param closeCode the WebSocket close code the gateway sent, or 0 when it sent none
 */
public record WebSocketClosedEvent(Instant time, String requestId, String routeId, String subject, String closedBy,
    int closeCode, String reason, long openMillis, long bytesToUpstream, long bytesToClient) implements AuditEvent {

  public static final String TYPE = "websocket_closed";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("request_id", requestId);
    AccessEvent.string(g, "route_id", routeId);
    AccessEvent.string(g, "subject", subject);
    g.writeStringField("closed_by", closedBy);
    if (closeCode > 0) {
      g.writeNumberField("close_code", closeCode);
    }
    AccessEvent.string(g, "reason", reason);
    g.writeNumberField("open_ms", openMillis);
    g.writeNumberField("bytes_to_upstream", bytesToUpstream);
    g.writeNumberField("bytes_to_client", bytesToClient);
  }
}

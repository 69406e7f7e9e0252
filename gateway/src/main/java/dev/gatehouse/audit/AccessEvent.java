package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * One request, as the access log records it. Built once when the exchange ends. Carries no header values, tokens or
 * cookies; the query is redacted when written. Field by field, the README's access log schema.
 *
 * @param forwardedFor the client address a trusted front proxy reported; null unless the peer is one
 * @param upgrade {@code websocket} for a WebSocket handshake, else null
 * @param decision {@code allow}, {@code deny} or {@code step-up}: the policy's outcome, or {@code deny} when the
 *     request was refused before the policy decided (malformed, no route, no valid credential)
 * @param durationMicros from the first byte of the request to the end of the response
 * @param upstreamMicros from sending to the upstream until its response headers arrived; -1 when not proxied
 * @param upstreamStatus the upstream's status code; 0 when it gave none
 */
public record AccessEvent(
    Instant time,
    String requestId,
    String traceId,
    String clientAddress,
    String forwardedFor,
    String tlsVersion,
    String tlsCipher,
    String httpVersion,
    String upgrade,
    String method,
    String host,
    String path,
    String query,
    String routeId,
    String policyVersion,
    String authMethod,
    String subject,
    String email,
    String tenant,
    String issuer,
    List<String> amr,
    String acr,
    Instant authTime,
    String decision,
    String rule,
    String reason,
    String detail,
    int status,
    long bytesIn,
    long bytesOut,
    long durationMicros,
    long upstreamMicros,
    String upstreamAddress,
    int upstreamStatus,
    String userAgent) implements AuditEvent {

  public static final String TYPE = "access";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("request_id", requestId);
    string(g, "trace_id", traceId);
    string(g, "client_address", clientAddress);
    string(g, "forwarded_for", forwardedFor);
    string(g, "tls_version", tlsVersion);
    string(g, "tls_cipher", tlsCipher);
    string(g, "http_version", httpVersion);
    string(g, "upgrade", upgrade);
    string(g, "method", method);
    string(g, "host", host);
    string(g, "path", path);
    string(g, "query", redactor.redact(query));
    string(g, "route_id", routeId);
    string(g, "policy_version", policyVersion);
    string(g, "auth_method", authMethod);
    string(g, "subject", subject);
    string(g, "email", email);
    string(g, "tenant", tenant);
    string(g, "issuer", issuer);
    if (amr != null && !amr.isEmpty()) {
      g.writeArrayFieldStart("amr");
      for (String a : amr) {
        g.writeString(a);
      }
      g.writeEndArray();
    }
    string(g, "acr", acr);
    if (authTime != null) {
      g.writeStringField("auth_time", EventSerializer.timestamp(authTime));
    }
    string(g, "decision", decision);
    string(g, "rule", rule);
    string(g, "reason", reason);
    string(g, "detail", detail);
    g.writeNumberField("status", status);
    g.writeNumberField("bytes_in", bytesIn);
    g.writeNumberField("bytes_out", bytesOut);
    g.writeNumberField("duration_ms", durationMicros / 1000.0);
    if (upstreamMicros >= 0) {
      g.writeNumberField("upstream_ms", upstreamMicros / 1000.0);
    }
    string(g, "upstream_address", upstreamAddress);
    if (upstreamStatus > 0) {
      g.writeNumberField("upstream_status", upstreamStatus);
    }
    string(g, "user_agent", userAgent);
  }

  static void string(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}

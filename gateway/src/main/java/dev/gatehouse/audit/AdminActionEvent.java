package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;

/**
 * Something done through the admin listener (a policy reload, a certificate reload, opening the live stream): who
 * did what to what, and how it ended. The admin listener records one per admin request.
 *
 * @param actor the authenticated administrator, e.g. the client certificate's subject
 * @param action e.g. {@code policy.reload}, {@code log.stream}
 * @param target what the action was applied to, or null
 * @param result e.g. {@code ok}, {@code rejected}, {@code failed}
 */
public record AdminActionEvent(Instant time, String requestId, String actor, String clientAddress, String action,
    String target, String result, String detail) implements AuditEvent {

  public static final String TYPE = "admin_action";

  public AdminActionEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(result, "result");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    AccessEvent.string(g, "request_id", requestId);
    AccessEvent.string(g, "actor", actor);
    AccessEvent.string(g, "client_address", clientAddress);
    g.writeStringField("action", action);
    AccessEvent.string(g, "target", target);
    g.writeStringField("result", result);
    AccessEvent.string(g, "detail", detail);
  }
}

package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The gateway started: which configuration (by digest), which policy, how the log is chained and what happens when
 * it cannot be written. The first event of every run.
 *
 * @param configSha256 SHA-256 of the configuration file's bytes, hex
 * @param listen the configured {@code host:port}
 */
public record StartupEvent(Instant time, String version, String configFile, String configSha256,
    String policyVersion, String listen, String chain, String keyId, String onFailure, List<String> sinks)
    implements AuditEvent {

  public static final String TYPE = "startup";

  public StartupEvent {
    sinks = List.copyOf(sinks);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("version", version);
    g.writeStringField("config_file", configFile);
    g.writeStringField("config_sha256", configSha256);
    g.writeStringField("policy_version", policyVersion);
    g.writeStringField("listen", listen);
    g.writeStringField("chain", chain);
    AccessEvent.string(g, "key_id", keyId);
    g.writeStringField("on_failure", onFailure);
    g.writeArrayFieldStart("sinks");
    for (String s : sinks) {
      g.writeString(s);
    }
    g.writeEndArray();
  }
}

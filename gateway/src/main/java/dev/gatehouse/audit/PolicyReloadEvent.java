package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * A policy reload attempt: what triggered it, whether it was applied, which files (with digests) it read, what
 * changed, how recent decisions would change, and any errors. Written for every attempt, applied or not.
 *
 * @param result {@code applied}, {@code unchanged} or {@code rejected}
 * @param version the policy version in force after the attempt
 * @param candidateVersion the version of the files read (equal to {@code version} unless rejected), or null when
 *     they could not be read
 */
public record PolicyReloadEvent(Instant time, String trigger, String result, String version, String previousVersion,
    String candidateVersion, List<FileDigest> files, List<String> routesAdded, List<String> routesRemoved,
    List<String> routesChanged, int replayed, int flipped, List<Flip> flipExamples, List<String> errors,
    long durationMillis) implements AuditEvent {

  /** A policy file and its SHA-256. */
  public record FileDigest(String name, String sha256) {}

  /** A recent request whose decision the new policy changes. */
  public record Flip(String subject, String method, String host, String path, String before, String after) {}

  public static final String TYPE = "policy_reload";

  public PolicyReloadEvent {
    files = List.copyOf(files);
    routesAdded = List.copyOf(routesAdded);
    routesRemoved = List.copyOf(routesRemoved);
    routesChanged = List.copyOf(routesChanged);
    flipExamples = List.copyOf(flipExamples);
    errors = List.copyOf(errors);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("trigger", trigger);
    g.writeStringField("result", result);
    g.writeStringField("policy_version", version);
    AccessEvent.string(g, "previous_version", previousVersion);
    AccessEvent.string(g, "candidate_version", candidateVersion);
    g.writeArrayFieldStart("files");
    for (FileDigest f : files) {
      g.writeStartObject();
      g.writeStringField("name", f.name());
      g.writeStringField("sha256", f.sha256());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeObjectFieldStart("routes");
    strings(g, "added", routesAdded);
    strings(g, "removed", routesRemoved);
    strings(g, "changed", routesChanged);
    g.writeEndObject();
    g.writeObjectFieldStart("decisions");
    g.writeNumberField("replayed", replayed);
    g.writeNumberField("flipped", flipped);
    g.writeArrayFieldStart("examples");
    for (Flip f : flipExamples) {
      g.writeStartObject();
      AccessEvent.string(g, "subject", f.subject());
      g.writeStringField("method", f.method());
      g.writeStringField("host", f.host());
      g.writeStringField("path", f.path());
      g.writeStringField("before", f.before());
      g.writeStringField("after", f.after());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    strings(g, "errors", errors);
    g.writeNumberField("duration_ms", durationMillis);
  }

  private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}

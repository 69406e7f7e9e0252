package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Written as soon as the log can be written again after a failure: the events with {@code seq} from
 * {@code firstSeq} to {@code lastSeq} did not reach (some of) the sinks. Its {@code seq} is {@code lastSeq + 1}, so a
 * verifier can tell a declared loss from a removal.
 *
 * @param count events lost (lines that never reached a failing sink)
 * @param since when the first of them failed
 */
record EventsLostEvent(Instant time, long firstSeq, long lastSeq, long count, List<String> sinks, String error,
    Instant since) implements AuditEvent {

  static final String TYPE = "events_lost";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeNumberField("first_seq", firstSeq);
    g.writeNumberField("last_seq", lastSeq);
    g.writeNumberField("count", count);
    g.writeArrayFieldStart("sinks");
    for (String s : sinks) {
      g.writeString(s);
    }
    g.writeEndArray();
    g.writeStringField("error", error);
    g.writeStringField("since", EventSerializer.timestamp(since));
  }
}

package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks event files written by {@link EventLog} (the format is described on {@link HashChain}): every line's hash
 * matches its content, every line links to the one before it, and files link to each other. Stops at the first
 * problem and says what most likely happened there: a modified, removed, inserted or reordered event, or a missing
 * or foreign file. Gaps the gateway itself declared ({@code events_lost}) and restarts without a previous file are
 * reported as notes, not problems.
 *
 * <p>Files are checked in the order of their first event's {@code seq}, so a shell glob's order does not matter.
 * Only what is given is checked: events cut off the end of the last file leave no trace in it, and a plain SHA-256
 * chain can be recomputed by anyone who can write the files (an HMAC chain cannot, without the key).
 */
public final class ChainVerifier {

  private static final int MAX_LINE = 16 << 20;
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** Where verification stopped. */
  public record Problem(Path file, long line, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + message;
    }
  }

  /**
   * @param order the files in the order they were checked
   * @param problem the first problem, or null when the chain is intact
   */
  public record Report(List<Path> order, long events, long firstSeq, long lastSeq, String lastHash, String algorithm,
      List<String> notes, Problem problem) {
    public boolean intact() {
      return problem == null;
    }
  }

  /** One line, parsed. */
  private record Entry(Path file, long line, boolean firstInFile, String type, long seq, String prev, String hash,
      boolean hashMatches, String eventId, String time, JsonNode node) {

    String describe() {
      return "event " + eventId + " (seq " + seq + ", " + type + ", " + time + ")";
    }
  }

  private final ChainKey key;
  private final HashChain hasher;
  private final List<String> notes = new ArrayList<>();
  private String declaredChain;
  private String declaredKeyId;

  private ChainVerifier(ChainKey key) {
    this.key = key;
    this.hasher = new HashChain(key, HashChain.GENESIS, 1);
  }

  /**
   * Verifies {@code files} as one sequence.
   *
   * @param key the HMAC key, or null for a plain SHA-256 chain
   * @throws IOException when a file cannot be read
   */
  public static Report verify(List<Path> files, ChainKey key) throws IOException {
    return new ChainVerifier(key).run(files);
  }

  private Report run(List<Path> given) throws IOException {
    List<Path> order = order(given);
    Entry z = null;
    Entry a = null;
    Entry b = null;
    long events = 0;
    long firstSeq = -1;
    for (int f = 0; f < order.size(); f++) {
      Path file = order.get(f);
      boolean lastFile = f == order.size() - 1;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
        long lineNo = 0;
        while (true) {
          Line raw = readLine(in);
          if (raw == null) {
            break;
          }
          lineNo++;
          if (!raw.terminated()) {
            if (lastFile) {
              notes.add(file + ":" + lineNo + ": the last line is incomplete (still being written?); not checked");
              break;
            }
            return failed(order, new Problem(file, lineNo, "the last line is incomplete: the file was cut short"));
          }
          Entry c = parse(file, lineNo, lineNo == 1, raw.bytes());
          if (c == null) {
            return failed(order, new Problem(file, lineNo, "not a chained event line (damaged, or not written by "
                + "the gateway)"));
          }
          if (b != null) {
            Problem p = check(z, a, b, c);
            if (p != null) {
              return failed(order, p);
            }
            events++;
            firstSeq = firstSeq < 0 ? b.seq() : firstSeq;
          }
          z = a;
          a = b;
          b = c;
        }
      }
    }
    if (b == null) {
      return failed(order, new Problem(order.isEmpty() ? Path.of("-") : order.get(0), 0, "no events to verify"));
    }
    Problem p = check(z, a, b, null);
    if (p != null) {
      return failed(order, p);
    }
    events++;
    firstSeq = firstSeq < 0 ? b.seq() : firstSeq;
    return new Report(order, events, firstSeq, b.seq(), b.hash(), algorithm(), List.copyOf(notes), null);
  }

  private Report failed(List<Path> order, Problem problem) {
    return new Report(order, 0, -1, -1, null, algorithm(), List.copyOf(notes), problem);
  }

  private String algorithm() {
    return key == null ? "sha256" : "hmac-sha256";
  }

  /** Checks {@code b}, knowing the two entries before it and the one after it (null where there is none). */
  private Problem check(Entry z, Entry a, Entry b, Entry c) {
    if (b.type().equals(StartupEvent.TYPE) || b.type().equals(LogFileOpenedEvent.TYPE)) {
      declaredChain = b.node().path("chain").asText(declaredChain);
      declaredKeyId = b.node().hasNonNull("key_id") ? b.node().path("key_id").asText() : null;
    }
    if (!b.hashMatches()) {
      return at(b, b.describe() + " was modified: its content does not match its hash" + keyHint());
    }
    if (a == null) {
      notes.add(b.prev().equals(HashChain.GENESIS)
          ? b.file() + ":" + b.line() + ": the chain starts here"
          : b.file() + ":" + b.line() + ": continues an earlier file that was not given (its last hash: " + b.prev() + ")");
      return null;
    }
    if (b.prev().equals(a.hash())) {
      if (b.seq() == a.seq() + 1) {
        return null;
      }
      return c != null && c.prev().equals(a.hash())
          ? at(b, b.describe() + " was inserted: the next event links to the one before it")
          : at(b, b.describe() + " follows seq " + a.seq() + ": seq numbers were altered");
    }
    boolean boundary = b.firstInFile();
    String here = boundary ? "between " + a.file() + " and " + b.file() + ": " : "";
    if (b.type().equals(StartupEvent.TYPE) && b.prev().equals(HashChain.GENESIS)) {
      notes.add(b.file() + ":" + b.line() + ": the gateway restarted without a previous file to continue; a new "
          + "chain starts here");
      return null;
    }
    if (boundary && b.prev().equals(HashChain.GENESIS)) {
      return at(b, b.file() + " starts a new chain: it does not continue " + a.file()
          + " (a file from another log, or the files in between are missing)");
    }
    if (b.type().equals(EventsLostEvent.TYPE) && b.node().path("first_seq").asLong(Long.MAX_VALUE) <= a.seq() + 1
        && b.node().path("last_seq").asLong(-1) == b.seq() - 1 && a.seq() < b.seq()) {
      notes.add(b.file() + ":" + b.line() + ": the gateway declared events seq " + b.node().path("first_seq").asLong()
          + ".." + b.node().path("last_seq").asLong() + " lost (" + b.node().path("error").asText() + ")");
      return null;
    }
    if (c != null && b.prev().equals(c.hash())) {
      return at(b, here + b.describe() + " is out of order: it belongs after the next line (events were reordered)");
    }
    if (z != null && b.prev().equals(z.hash())) {
      return at(a, a.describe() + " was inserted: the next event links to the one before it");
    }
    if (c != null && c.prev().equals(a.hash())) {
      return at(b, here + b.describe() + " was inserted: the next event links to the one before it");
    }
    if (b.seq() > a.seq() + 1) {
      long missing = b.seq() - a.seq() - 1;
      return at(b, boundary
          ? here + missing + " event(s) (seq " + (a.seq() + 1) + ".." + (b.seq() - 1) + ") are missing: a file is "
              + "missing in between, or " + a.file() + " was cut short"
          : missing + " event(s) (seq " + (a.seq() + 1) + ".." + (b.seq() - 1) + ") were removed before "
              + b.describe());
    }
    if (boundary) {
      return at(b, here + b.file() + " does not continue " + a.file() + " (a file from another log, or an event "
          + "at the boundary was modified)");
    }
    if (b.seq() <= a.seq()) {
      return at(b, here + b.describe() + " is out of order: it follows seq " + a.seq()
          + " (events were reordered or inserted)");
    }
    if (c != null && c.prev().equals(b.hash())) {
      return at(a, a.describe() + " was modified: its hash was recomputed, but the next event links to the original");
    }
    if (c != null) {
      return at(b, here + b.describe() + " was modified or replaced: it does not link to the event before it, and the "
          + "next event does not link to it");
    }
    return at(b, here + b.describe() + " does not link to the event before it: one of them was modified, or an event "
        + "was inserted");
  }

  private String keyHint() {
    if (key == null && "hmac-sha256".equals(declaredChain)) {
      return " (this log is keyed: hmac-sha256" + (declaredKeyId == null ? "" : " with key id " + declaredKeyId)
          + "; pass --key-file)";
    }
    if (key != null && declaredKeyId != null && !declaredKeyId.equals(key.id())) {
      return " (this log was written with key id " + declaredKeyId + ", the given key's id is " + key.id() + ")";
    }
    if (key != null && "sha256".equals(declaredChain)) {
      return " (this log is a plain sha256 chain; verify it without --key-file)";
    }
    return "";
  }

  private static Problem at(Entry e, String message) {
    return new Problem(e.file(), e.line(), message);
  }

  private Entry parse(Path file, long line, boolean first, byte[] bytes) {
    if (!HashChain.hasHashMember(bytes, bytes.length)) {
      return null;
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
    if (node == null || !node.isObject() || !node.path("seq").canConvertToLong() || !node.path("type").isTextual()
        || !node.path("prev").asText("").matches("[0-9a-f]{64}")) {
      return null;
    }
    String stored = HashChain.storedHash(bytes, bytes.length);
    String computed = HexFormat.of().formatHex(hasher.contentHash(bytes, bytes.length));
    return new Entry(file, line, first, node.path("type").asText(), node.path("seq").asLong(), node.path("prev").asText(),
        stored, stored.equals(computed), node.path("event_id").asText("?"), node.path("time").asText("?"), node);
  }

  /** The files ordered by their first event's seq (files whose first line is unreadable keep their place). */
  private static List<Path> order(List<Path> given) throws IOException {
    record Keyed(Path file, long seq, int index) {}
    List<Keyed> keyed = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      long seq = Long.MAX_VALUE;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(given.get(i)))) {
        Line first = readLine(in);
        if (first != null) {
          try {
            JsonNode node = JSON.readTree(first.bytes());
            if (node != null && node.path("seq").canConvertToLong()) {
              seq = node.path("seq").asLong();
            }
          } catch (IOException e) {
            // damaged: verification reports it where it stands
          }
        }
      }
      keyed.add(new Keyed(given.get(i), seq, i));
    }
    keyed.sort(Comparator.comparingLong(Keyed::seq).thenComparingInt(Keyed::index));
    return keyed.stream().map(Keyed::file).toList();
  }

  private record Line(byte[] bytes, boolean terminated) {}

  private static Line readLine(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return new Line(out.toByteArray(), true);
      }
      if (out.size() >= MAX_LINE) {
        throw new IOException("a line longer than " + MAX_LINE + " bytes");
      }
      out.write(b);
    }
    return out.size() == 0 ? null : new Line(out.toByteArray(), false);
  }

}

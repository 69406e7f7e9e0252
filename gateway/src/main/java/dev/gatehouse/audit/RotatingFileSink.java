package dev.gatehouse.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event file that is replaced by a fresh one when it would grow past a size or has been open for a while. The
 * current file always has the configured name; a closed file is renamed to {@code <name>.<UTC time, ms>} (for
 * example {@code access.log.20250131T091502.042Z}), so names sort in the order the files were written.
 *
 * <p>At start-up an existing file is closed the same way: its last complete event becomes the chain's anchor, so the
 * new file continues the old one's chain, and an incomplete last line (the process died mid-write) is cut off and
 * reported. A path that is not a regular file (a device such as {@code /dev/stderr}, a pipe) is written as a stream:
 * never renamed, never anchored. Confined to the writer thread, except for {@link #open}.
 */
public final class RotatingFileSink implements EventSink {

  private static final Logger LOG = LoggerFactory.getLogger(RotatingFileSink.class);
  private static final DateTimeFormatter SUFFIX =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final int TAIL_LIMIT = 4 << 20;

  private final Path path;
  private final long maxSize;
  private final Duration maxAge;
  private final boolean regular;
  private final Anchor anchor;
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private FileChannel channel;
  private long size;
  private long committed;
  private long lines;
  private long committedLines;
  private Instant openedAt;
  private FileStart pendingStart;

  private RotatingFileSink(Path path, long maxSize, Duration maxAge, boolean regular, Anchor anchor) {
    this.path = path;
    this.maxSize = maxSize;
    this.maxAge = maxAge;
    this.regular = regular;
    this.anchor = anchor;
  }

  /**
   * Creates the directory if needed, closes (renames) a file left by a previous run and opens a new one. Blocking;
   * called at start-up, so that a wrong path stops the gateway with a clear message.
   */
  public static RotatingFileSink open(Path path, long maxSize, Duration maxAge, InstantSource clock) throws IOException {
    Path absolute = path.toAbsolutePath();
    if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
      RotatingFileSink sink = new RotatingFileSink(absolute, maxSize, maxAge, false, null);
      sink.channel = FileChannel.open(absolute, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return sink;
    }
    if (absolute.getParent() != null) {
      Files.createDirectories(absolute.getParent());
    }
    Anchor anchor = null;
    Path previous = null;
    long truncated = 0;
    if (Files.exists(absolute) && Files.size(absolute) > 0) {
      Tail tail = readTail(absolute);
      anchor = tail.anchor();
      truncated = tail.incompleteBytes();
      if (truncated > 0) {
        try (FileChannel c = FileChannel.open(absolute, StandardOpenOption.WRITE)) {
          c.truncate(c.size() - truncated);
        }
        LOG.warn("{} ended with an incomplete event of {} bytes (the previous run stopped mid-write); removed it",
            absolute, truncated);
      }
      previous = archive(absolute, clock.instant());
    }
    RotatingFileSink sink = new RotatingFileSink(absolute, maxSize, maxAge, true, anchor);
    sink.openFile(clock.instant());
    sink.pendingStart = new FileStart(absolute, previous, "startup", truncated);
    return sink;
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public Anchor anchor() {
    return anchor;
  }

  @Override
  public FileStart rotateIfDue(int nextLineLength, Instant now) throws IOException {
    if (!regular) {
      return null;
    }
    if (pendingStart != null) {
      FileStart start = pendingStart;
      pendingStart = null;
      return start;
    }
    ensureOpen(now);
    // a file holding only its opening line is never rotated for size, or one huge event would rotate forever
    boolean bySize = lines > 1 && size + nextLineLength > maxSize;
    boolean byAge = lines > 0 && !now.isBefore(openedAt.plus(maxAge));
    if (!bySize && !byAge) {
      return null;
    }
    flush();
    channel.force(true);
    channel.close();
    channel = null;
    Path previous;
    try {
      previous = archive(path, now);
    } finally {
      // whether or not the rename worked, there must be an open file to write to (the old one, if it did not)
      openFile(now);
    }
    return new FileStart(path, previous, bySize ? "size" : "age", 0);
  }

  @Override
  public void write(byte[] line, int length) throws IOException {
    ensureOpen(null);
    if (length > buffer.remaining()) {
      drain();
    }
    if (length > buffer.capacity()) {
      writeFully(ByteBuffer.wrap(line, 0, length));
    } else {
      buffer.put(line, 0, length);
    }
    size += length;
    lines++;
  }

  @Override
  public void flush() throws IOException {
    ensureOpen(null);
    drain();
    committed = size;
    committedLines = lines;
  }

  @Override
  public void discard() {
    buffer.clear();
    size = committed;
    lines = committedLines;
    if (channel == null) {
      return;
    }
    try {
      if (regular) {
        // cut off a partly written batch, so that the next line starts on a line of its own
        channel.truncate(committed);
      }
    } catch (IOException e) {
      closeQuietly();
    }
  }

  @Override
  public void close() throws IOException {
    if (channel == null) {
      return;
    }
    try {
      drain();
      if (regular) {
        channel.force(true);
      }
    } finally {
      closeQuietly();
    }
  }

  private void ensureOpen(Instant now) throws IOException {
    if (channel == null) {
      // a failure closed it; reopen the same file and go on after its last complete batch
      channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      if (regular) {
        committed = size = channel.size();
      }
      if (openedAt == null) {
        openedAt = now == null ? Instant.now() : now;
      }
    }
  }

  private void openFile(Instant now) throws IOException {
    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    committed = size = channel.size();
    committedLines = lines = 0;
    openedAt = now;
  }

  private void drain() throws IOException {
    buffer.flip();
    try {
      writeFully(buffer);
    } finally {
      buffer.clear();
    }
  }

  private void writeFully(ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      channel.write(data);
    }
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing {} failed", path, e);
    }
    channel = null;
  }

  /** Renames {@code file} to its closed name; adds a millisecond while the name is taken, so names stay sortable. */
  private static Path archive(Path file, Instant now) throws IOException {
    Instant t = now;
    Path target = file.resolveSibling(file.getFileName() + "." + SUFFIX.format(t));
    while (Files.exists(target)) {
      t = t.plusMillis(1);
      target = file.resolveSibling(file.getFileName() + "." + SUFFIX.format(t));
    }
    return Files.move(file, target);
  }

  private record Tail(Anchor anchor, long incompleteBytes) {}

  /** The last complete line's hash and seq, and how many bytes follow it. */
  private static Tail readTail(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = c.size();
      int window = (int) Math.min(fileSize, 64 * 1024);
      while (true) {
        ByteBuffer data = ByteBuffer.allocate(window);
        c.read(data, fileSize - window);
        byte[] bytes = data.array();
        int lastNewline = lastIndexOf(bytes, bytes.length - 1);
        long incomplete = lastNewline < 0 ? -1 : bytes.length - 1 - lastNewline;
        int lineStart = lastNewline < 0 ? -1 : lastIndexOf(bytes, lastNewline - 1) + 1;
        boolean wholeFileRead = window == fileSize;
        if (lastNewline >= 0 && (lineStart > 0 || wholeFileRead)) {
          return new Tail(anchorOf(new String(bytes, lineStart, lastNewline - lineStart, StandardCharsets.UTF_8), file),
              incomplete);
        }
        if (wholeFileRead || window >= TAIL_LIMIT) {
          // no complete line in reach: nothing to continue from, and nothing safe to cut
          return new Tail(null, lastNewline < 0 && wholeFileRead ? fileSize : 0);
        }
        window = (int) Math.min(fileSize, (long) window * 4);
      }
    }
  }

  private static int lastIndexOf(byte[] bytes, int from) {
    for (int i = from; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static Anchor anchorOf(String line, Path file) {
    try {
      JsonNode node = new ObjectMapper().readTree(line);
      String hash = node.path("hash").asText("");
      if (hash.matches("[0-9a-f]{64}") && node.path("seq").canConvertToLong()) {
        return new Anchor(hash, node.path("seq").asLong(), file);
      }
    } catch (IOException e) {
      // not an event line: the new file starts a new chain
    }
    LOG.warn("the last line of {} is not a chained event; the new log starts a new chain", file);
    return null;
  }
}

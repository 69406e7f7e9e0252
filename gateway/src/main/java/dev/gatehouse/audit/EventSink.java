package dev.gatehouse.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where serialized events go. Called only from the event log's writer thread, one batch at a time: a number of
 * {@link #write}s, then one {@link #flush}. When anything in a batch fails, the writer calls {@link #discard} and
 * counts the batch as lost for this sink.
 */
public interface EventSink extends AutoCloseable {

  /** For diagnostics and the {@code events_lost} event, e.g. {@code stdout} or the file's path. */
  String name();

  /** Writes one event line: a complete JSON object followed by a newline. */
  void write(byte[] line, int length) throws IOException;

  /** Hands everything written since the last flush to the operating system (or the stream). */
  void flush() throws IOException;

  /** Forgets what was written since the last successful flush, as far as the sink can, after a failure. */
  default void discard() {}

  /**
   * Called before each line: starts a new file when one is due (the first file after start-up, a size or age
   * limit), so that the writer can make the new file's first line a {@code log_file_opened} event.
   *
   * @param nextLineLength the length of the line about to be written
   * @return the file just started, or null when the line goes into the current one
   */
  default FileStart rotateIfDue(int nextLineLength, Instant now) throws IOException {
    return null;
  }

  /** The last event of the log this sink continues (read at start-up), or null when there is none. */
  default Anchor anchor() {
    return null;
  }

  @Override
  void close() throws IOException;

  /**
   * A new file in a sequence.
   *
   * @param previousFile the file that was closed (renamed) for it, or null for a first file
   * @param reason {@code startup}, {@code size} or {@code age}
   * @param truncatedBytes bytes of an incomplete last line removed from the previous file at start-up
   */
  record FileStart(Path file, Path previousFile, String reason, long truncatedBytes) {}

  /** The last complete event of a previous run's file: the chain continues from it. */
  record Anchor(String hash, long seq, Path file) {}
}

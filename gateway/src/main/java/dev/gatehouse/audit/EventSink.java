package dev.gatehouse.audit;

import java.io.IOException;

/** Where serialized events go. Called only from the event log's writer thread. */
public interface EventSink extends AutoCloseable {

  /** Writes one event: a complete JSON object followed by a newline. */
  void write(byte[] line, int length) throws IOException;

  /** Makes everything written so far durable enough for this sink (flushed to the OS or the stream). */
  void flush() throws IOException;

  @Override
  void close() throws IOException;
}

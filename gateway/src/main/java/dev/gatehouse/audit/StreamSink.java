package dev.gatehouse.audit;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A sink over an output stream: standard output for container log collectors, or an appended file. */
public final class StreamSink implements EventSink {

  private final OutputStream out;
  private final boolean closeOnClose;

  private StreamSink(OutputStream out, boolean closeOnClose) {
    this.out = new BufferedOutputStream(out, 64 * 1024);
    this.closeOnClose = closeOnClose;
  }

  public static StreamSink stdout() {
    return new StreamSink(new FileOutputStream(FileDescriptor.out), false);
  }

  /** Opens {@code file} for appending, creating it and its directory if needed. Blocking. */
  public static StreamSink file(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new StreamSink(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE), true);
  }

  @Override
  public void write(byte[] line, int length) throws IOException {
    out.write(line, 0, length);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.flush();
    if (closeOnClose) {
      out.close();
    }
  }
}

package dev.gatehouse.audit;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.IOException;

/**
 * Standard output, for container log collectors. Nothing else in the gateway writes to standard output, so the
 * stream carries only event lines. A collector that stops reading makes writes block, which fills the queue and
 * slows intake instead of losing events.
 */
public final class StdoutSink implements EventSink {

  private final OutputStream target;
  private BufferedOutputStream out;

  public StdoutSink() {
    this(new FileOutputStream(FileDescriptor.out));
  }

  StdoutSink(OutputStream target) {
    this.target = target;
    this.out = new BufferedOutputStream(target, 64 * 1024);
  }

  @Override
  public String name() {
    return "stdout";
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
  public void discard() {
    // a failed flush leaves its bytes in the buffer; without this they would be written again, after later lines
    out = new BufferedOutputStream(target, 64 * 1024);
  }

  @Override
  public void close() throws IOException {
    out.flush();
  }
}

package dev.gatehouse.audit;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/** Wraps a sink so that a test can make it fail (disk full) or stall (a blocked pipe) on demand. */
final class ControllableSink implements EventSink {

  private final EventSink inner;
  volatile boolean failing;
  volatile CountDownLatch stall;

  ControllableSink(EventSink inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void write(byte[] line, int length) throws IOException {
    CountDownLatch s = stall;
    if (s != null) {
      try {
        s.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failing) {
      throw new IOException("No space left on device");
    }
    inner.write(line, length);
  }

  @Override
  public void flush() throws IOException {
    if (failing) {
      throw new IOException("No space left on device");
    }
    inner.flush();
  }

  @Override
  public void discard() {
    inner.discard();
  }

  @Override
  public FileStart rotateIfDue(int nextLineLength, Instant now) throws IOException {
    return inner.rotateIfDue(nextLineLength, now);
  }

  @Override
  public Anchor anchor() {
    return inner.anchor();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}

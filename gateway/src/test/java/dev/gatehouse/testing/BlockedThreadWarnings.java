package dev.gatehouse.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Vert.x blocked-thread warnings during tests; a test fixture fails when any appeared, because a blocked
 * event loop is a bug even when every assertion passed.
 */
public final class BlockedThreadWarnings extends AppenderBase<ILoggingEvent> {

  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLoggerName().contains("BlockedThreadChecker")) {
      WARNINGS.add(event.getFormattedMessage());
    }
  }

  public static List<String> drain() {
    List<String> copy = List.copyOf(WARNINGS);
    WARNINGS.clear();
    return copy;
  }
}

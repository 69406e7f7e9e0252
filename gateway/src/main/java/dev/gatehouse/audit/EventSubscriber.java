package dev.gatehouse.audit;

/**
 * Receives event lines from {@link EventLog#subscribe}. Called on the subscription's executor, one call at a time,
 * in log order. Must not block for long: a slow subscriber only misses lines of its own, never delays the log.
 */
@FunctionalInterface
public interface EventSubscriber {

  /** One event: the exact JSON line as written to the sinks, without the newline. */
  void onEvent(String line);

  /**
   * {@code count} events matching the filter were skipped here because this subscriber fell more than its buffer
   * behind. They are in the log; only this subscriber did not get them.
   */
  default void onMissed(long count) {}

  /** No more calls follow: the subscription or the log was closed. */
  default void onClosed() {}
}

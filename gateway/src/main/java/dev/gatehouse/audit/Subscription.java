package dev.gatehouse.audit;

/** A live view of the event stream, from {@link EventLog#subscribe}. */
public interface Subscription extends AutoCloseable {

  /** Lines delivered so far. */
  long delivered();

  /** Lines this subscriber missed because it fell behind (see {@link EventSubscriber#onMissed}). */
  long missed();

  /** Stops delivery; lines still buffered are dropped. Idempotent; safe from any thread. */
  @Override
  void close();
}

package dev.gatehouse.audit;

/**
 * Live, read-only counters of the event log, for metrics (published later as Micrometer gauges and function
 * counters) and health checks. Every method is a cheap read, safe from any thread.
 */
public interface EventLogStats {

  /** Events recorded but not yet written. */
  long queueDepth();

  /** At this depth new requests wait for room ({@code accessLog.queueCapacity}). */
  long queueCapacity();

  /** Requests waiting for room in the queue right now. */
  long waitingRequests();

  /** Event lines written to every sink. */
  long written();

  /** Events that did not reach every sink (a failed write, or an event that could not be serialized). */
  long lost();

  /** Failed sink operations (one per sink per failed batch). */
  long writeFailures();

  /** False while some sink is failing; with {@code onFailure: deny}, requests are refused meanwhile. */
  boolean writable();
}

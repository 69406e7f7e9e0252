package dev.gatehouse.testing;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Access events of exchanges that end when their connection closes (a reset, a client that left): the gateway learns
 * of the close a moment after the client sees it, so a test collects events until they are there, up to a bound.
 */
public final class Events {

  private Events() {}

  /** The new access events of {@code gateway}, collected until there are at least {@code count} or the bound passed. */
  public static List<JsonObject> awaitNew(TestGateway gateway, int count, Duration bound) {
    List<JsonObject> events = new ArrayList<>();
    long deadline = System.nanoTime() + bound.toNanos();
    do {
      events.addAll(gateway.newEvents()); // each call waits for the event loops and the log writer to catch up
    } while (events.size() < count && System.nanoTime() < deadline);
    return events;
  }
}

package dev.gatehouse.proxy;

import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every new client connection of one event loop passes here first: it is counted against {@code limits.maxConnections}
 * (over all event loops), and an HTTP/1.x connection gets the strict decoder and the header deadline. A connection
 * over the limit is marked: its requests are answered {@code 503 too-many-connections} and it is closed after the
 * first answer (a refusal the client can read and that is logged, rather than a silent reset); one that sends nothing
 * is closed by the header deadline or the idle timeout.
 *
 * <p>Counts with the Netty channel's close future rather than {@link HttpConnection#closeHandler}, which holds only one
 * handler and so must stay free for others. The marked set is confined to this verticle's event loop.
 */
final class ConnectionGuard implements Handler<HttpConnection> {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final AtomicInteger open;
  private final int maxConnections;
  private final HttpServerOptions options;
  private final Duration headerTimeout;
  private final Set<HttpConnection> overLimit = Collections.newSetFromMap(new IdentityHashMap<>());

  /** @param open the count shared by every event loop's guard */
  ConnectionGuard(AtomicInteger open, int maxConnections, HttpServerOptions options, Duration headerTimeout) {
    this.open = open;
    this.maxConnections = maxConnections;
    this.options = options;
    this.headerTimeout = headerTimeout;
  }

  @Override
  public void handle(HttpConnection connection) {
    Channel channel;
    try {
      channel = StrictHttpDecoder.channel(connection);
      StrictHttpDecoder.install(connection, options, headerTimeout);
    } catch (RuntimeException e) {
      // fail closed: never serve HTTP/1.x with the lenient decoder
      LOG.error("cannot harden a new connection, closing it (Vert.x internals changed?): {}", e.toString());
      connection.close();
      return;
    }
    int now = open.incrementAndGet();
    boolean refused = now > maxConnections;
    if (refused) {
      overLimit.add(connection);
    }
    channel.closeFuture().addListener(f -> {
      open.decrementAndGet();
      if (refused) {
        overLimit.remove(connection);
      }
    });
  }

  /** True when {@code connection} was accepted beyond {@code limits.maxConnections}. */
  boolean refuses(HttpConnection connection) {
    return !overLimit.isEmpty() && overLimit.contains(connection);
  }

  /** Open client connections, over all event loops. */
  int openConnections() {
    return open.get();
  }
}

package dev.gatehouse.proxy;

import dev.gatehouse.audit.AddressRange;
import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
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
  private static final java.util.concurrent.atomic.AtomicLong LAST_UNTRUSTED_WARNING =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 120_000_000_000L);

  private final AtomicInteger open;
  private final int maxConnections;
  private final HttpServerOptions options;
  private final Duration headerTimeout;
  private final List<AddressRange> proxySources;
  private final Set<HttpConnection> overLimit = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Kept until the connection is garbage (weakly), not removed on close: a request may be processed after the close. */
  private final Set<HttpConnection> untrusted = Collections.newSetFromMap(new java.util.WeakHashMap<>());

  /** Why a connection's requests are refused, if they are. */
  enum Refusal { NONE, OVER_LIMIT, UNTRUSTED_PROXY }

  /**
   * @param open the count shared by every event loop's guard
   * @param proxySources with the PROXY protocol, the TCP peers allowed to send its header; null without it
   */
  ConnectionGuard(AtomicInteger open, int maxConnections, HttpServerOptions options, Duration headerTimeout,
      List<AddressRange> proxySources) {
    this.open = open;
    this.maxConnections = maxConnections;
    this.options = options;
    this.headerTimeout = headerTimeout;
    this.proxySources = proxySources;
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
    if (proxySources != null && !trusted(channel.remoteAddress())) {
      // the PROXY header came from a peer that may not send one: it could claim any client address. Warned about
      // at most once a minute, so that such peers cannot flood the log
      long now = System.nanoTime();
      long last = LAST_UNTRUSTED_WARNING.get();
      if (now - last > 60_000_000_000L && LAST_UNTRUSTED_WARNING.compareAndSet(last, now)) {
        LOG.warn("closing connections from {} (and maybe others): not in listen.proxyProtocol.trustedSources",
            channel.remoteAddress());
      }
      // closed at once, not after pending writes; a request already decoded from the same read is refused all the
      // same (see refusal), so nothing a peer that may not send a PROXY header sent is ever served
      untrusted.add(connection);
      channel.close();
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

  private boolean trusted(SocketAddress peer) {
    if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return false;
    }
    byte[] address = inet.getAddress().getAddress();
    if (address.length == 16 && isIpv4Mapped(address)) {
      address = java.util.Arrays.copyOfRange(address, 12, 16);
    }
    for (AddressRange range : proxySources) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  /** Whether and why the requests of {@code connection} are refused (beyond the limit, or an untrusted PROXY sender). */
  Refusal refusal(HttpConnection connection) {
    if (!overLimit.isEmpty() && overLimit.contains(connection)) {
      return Refusal.OVER_LIMIT;
    }
    if (!untrusted.isEmpty() && untrusted.contains(connection)) {
      return Refusal.UNTRUSTED_PROXY;
    }
    return Refusal.NONE;
  }

  /** Open client connections, over all event loops. */
  int openConnections() {
    return open.get();
  }
}

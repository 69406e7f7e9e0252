package dev.gatehouse.proxy;

import dev.gatehouse.config.GatewayConfig;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * The listener's share of {@code limits} (what Vert.x and Netty enforce themselves) and of the PROXY protocol, set on
 * the server options.
 */
final class ListenerLimits {

  private ListenerLimits() {}

  static HttpServerOptions apply(HttpServerOptions options, GatewayConfig config) {
    GatewayConfig.ProxyProtocol proxy = config.listener().proxyProtocol();
    if (proxy != null) {
      // the sender is checked against trustedSources when the connection is set up (ConnectionGuard)
      options.setUseProxyProtocol(true)
          .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS)
          .setProxyProtocolTimeout(proxy.timeout().toMillis());
    }
    GatewayConfig.Limits limits = config.limits();
    return options
        // TLS with ALPN chooses the protocol; no cleartext HTTP/2 upgrade path
        .setHttp2ClearTextEnabled(false)
        // HTTP/1.x: Netty answers a longer request line with 414 and a larger header block with 431
        .setMaxInitialLineLength(limits.maxRequestLine())
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()))
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setSslHandshakeTimeout(limits.handshakeTimeout().toMillis())
        // HTTP/2: advertised in SETTINGS and enforced by Netty (a stream beyond the limit is refused, a header list
        // beyond the size is a 431); the 16 KiB default leaves room for a session split over three cookies (~12 KiB)
        .setInitialSettings(new Http2Settings()
            .setMaxConcurrentStreams(limits.http2MaxConcurrentStreams())
            .setMaxHeaderListSize(limits.maxHeaderSize()));
  }
}

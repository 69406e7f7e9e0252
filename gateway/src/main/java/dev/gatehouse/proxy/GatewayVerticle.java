package dev.gatehouse.proxy;

import dev.gatehouse.admin.GatewayMetrics;
import dev.gatehouse.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's share of the listener. Every instance listens on the same port (Vert.x spreads connections over
 * them) and owns its upstream connection pools, so a request never leaves its event loop.
 */
final class GatewayVerticle extends VerticleBase {

  private final GatewayContext gateway;
  private final GatewayConfig.Upstreams upstreamConfig;
  private final HttpServerOptions serverOptions;
  private final AtomicInteger actualPort;
  private final java.time.Duration drainTimeout;
  private final GatewayMetrics metrics;
  private final java.util.concurrent.atomic.AtomicReference<HttpServer> sharedServer;
  private final Safeguards safeguards;
  private Upstreams upstreams;
  private HttpServer server;

  GatewayVerticle(GatewayContext gateway, GatewayConfig.Upstreams upstreamConfig, HttpServerOptions serverOptions,
      AtomicInteger actualPort, java.time.Duration drainTimeout, GatewayMetrics metrics,
      java.util.concurrent.atomic.AtomicReference<HttpServer> sharedServer, Safeguards safeguards) {
    this.gateway = gateway;
    this.upstreamConfig = upstreamConfig;
    this.serverOptions = serverOptions;
    this.actualPort = actualPort;
    this.drainTimeout = drainTimeout;
    this.metrics = metrics;
    this.sharedServer = sharedServer;
    this.safeguards = safeguards;
  }

  @Override
  public Future<?> start() {
    upstreams = new Upstreams(vertx, upstreamConfig);
    ConnectionGuard connections = new ConnectionGuard(safeguards.openConnections(),
        safeguards.limits().maxConnections(), serverOptions, safeguards.limits().headerTimeout(),
        safeguards.proxySources());
    server = vertx.createHttpServer(new HttpServerOptions(serverOptions))
        .requestHandler(new GatewayHandler(gateway, upstreams, safeguards, connections))
        .invalidRequestHandler(GatewayHandler.invalidRequestHandler(gateway))
        // a connection exists only after its TLS handshake, so each one is a completed handshake
        .connectionHandler(connection -> {
          metrics.handshake();
          metrics.connectionOpened();
          connection.closeHandler(v -> metrics.connectionClosed());
          connections.handle(connection);
        })
        .exceptionHandler(e -> {
          if (e instanceof javax.net.ssl.SSLException || e.getCause() instanceof javax.net.ssl.SSLException) {
            metrics.handshakeFailure(GatewayMetrics.handshakeReason(e));
          }
        });
    return server.listen().onSuccess(s -> {
      actualPort.set(s.actualPort());
      // all instances share one listening socket; any of them can swap the certificate for all
      sharedServer.compareAndSet(null, s);
    });
  }

  /**
   * Stops accepting connections and lets in-flight requests finish (HTTP/1.x connections close after their current
   * response, HTTP/2 connections get GOAWAY) for up to the drain timeout; only then are the upstream pools closed,
   * because in-flight requests still use them.
   */
  @Override
  public Future<?> stop() {
    Future<Void> drained = server == null ? Future.succeededFuture()
        : server.shutdown(drainTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return drained.transform(ar -> upstreams == null ? Future.succeededFuture() : upstreams.close());
  }
}

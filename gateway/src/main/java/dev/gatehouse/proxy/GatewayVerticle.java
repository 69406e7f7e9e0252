package dev.gatehouse.proxy;

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
  private final Safeguards safeguards;
  private Upstreams upstreams;
  private HttpServer server;

  GatewayVerticle(GatewayContext gateway, GatewayConfig.Upstreams upstreamConfig, HttpServerOptions serverOptions,
      AtomicInteger actualPort, java.time.Duration drainTimeout, Safeguards safeguards) {
    this.gateway = gateway;
    this.upstreamConfig = upstreamConfig;
    this.serverOptions = serverOptions;
    this.actualPort = actualPort;
    this.drainTimeout = drainTimeout;
    this.safeguards = safeguards;
  }

  @Override
  public Future<?> start() {
    upstreams = new Upstreams(vertx, upstreamConfig);
    ConnectionGuard connections = new ConnectionGuard(safeguards.openConnections(),
        safeguards.limits().maxConnections(), serverOptions, safeguards.limits().headerTimeout(),
        safeguards.proxySources());
    server = vertx.createHttpServer(new HttpServerOptions(serverOptions))
        .connectionHandler(connections)
        .requestHandler(new GatewayHandler(gateway, upstreams, safeguards, connections))
        .invalidRequestHandler(GatewayHandler.invalidRequestHandler(gateway));
    return server.listen().onSuccess(s -> actualPort.set(s.actualPort()));
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

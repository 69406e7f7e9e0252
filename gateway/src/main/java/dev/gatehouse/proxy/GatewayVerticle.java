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
  private Upstreams upstreams;

  GatewayVerticle(GatewayContext gateway, GatewayConfig.Upstreams upstreamConfig, HttpServerOptions serverOptions,
      AtomicInteger actualPort) {
    this.gateway = gateway;
    this.upstreamConfig = upstreamConfig;
    this.serverOptions = serverOptions;
    this.actualPort = actualPort;
  }

  @Override
  public Future<?> start() {
    upstreams = new Upstreams(vertx, upstreamConfig);
    HttpServer server = vertx.createHttpServer(new HttpServerOptions(serverOptions))
        .requestHandler(new GatewayHandler(gateway, upstreams))
        .invalidRequestHandler(GatewayHandler.invalidRequestHandler(gateway));
    return server.listen().onSuccess(s -> actualPort.set(s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return upstreams == null ? Future.succeededFuture() : upstreams.close();
  }
}

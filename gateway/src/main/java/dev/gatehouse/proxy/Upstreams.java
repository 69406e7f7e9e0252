package dev.gatehouse.proxy;

import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.policy.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * Connections to the apps behind the gateway: one keep-alive pool per upstream address, per event loop (each
 * verticle instance owns one). Pools live outside the policy snapshot, so a reload keeps warm connections.
 */
final class Upstreams {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Upstreams.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final long connectTimeout;
  private final long responseTimeout;
  private final boolean retry;

  Upstreams(Vertx vertx, GatewayConfig.Upstreams config) {
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setVerifyHost(true)
        .setDecompressionSupported(false)
        .setConnectTimeout((int) config.connectTimeout().toMillis())
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(64 * 1024);
    if (config.trustedCertificates() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(config.trustedCertificates().toString()));
    }
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerUpstream()).setMaxWaitQueueSize(10_000);
    this.vertx = vertx;
    this.client = vertx.httpClientBuilder().with(options).with(pool)
        // a broken upstream connection fails its request, which is answered and logged once; not an error log per reset
        .withConnectHandler(connection -> connection.exceptionHandler(e ->
            LOG.debug("upstream connection {} failed: {}", connection.remoteAddress(), e.toString())))
        .build();
    this.connectTimeout = config.connectTimeout().toMillis();
    this.responseTimeout = config.responseTimeout().toMillis();
    this.retry = config.retry();
  }

  /**
   * A request to {@code upstream}; fails on connection failure or timeout. A GET, HEAD or OPTIONS request whose
   * connection could not be made (refused, timed out, no pooled connection in time) is tried once more when
   * {@code upstreams.retry} is on: it never left the gateway, so the upstream cannot have seen it, and nothing of its
   * body has been read yet. Nothing is retried once it was sent.
   */
  Future<HttpClientRequest> request(Upstream upstream, HttpMethod method, String uri) {
    Future<HttpClientRequest> first = connect(upstream, method, uri);
    if (!retry || !isSafe(method)) {
      return first;
    }
    return first.recover(e -> connect(upstream, method, uri));
  }

  static boolean isSafe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }

  private Future<HttpClientRequest> connect(Upstream upstream, HttpMethod method, String uri) {
    RequestOptions options = new RequestOptions()
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.tls())
        .setMethod(method)
        .setURI(uri)
        .setConnectTimeout(connectTimeout)
        .setIdleTimeout(responseTimeout);
    return client.request(options);
  }

  /** Bounds the silence of {@code response}'s body by the response timeout (see {@link SilentBodyGuard}). */
  void guardBody(io.vertx.httpproxy.ProxyResponse response) {
    SilentBodyGuard.watch(vertx, response, responseTimeout);
  }

  Future<Void> close() {
    return client.close();
  }
}

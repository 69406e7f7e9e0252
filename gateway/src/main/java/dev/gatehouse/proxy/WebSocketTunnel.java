package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.Route;
import dev.gatehouse.request.RequestTarget;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;

/**
 * Passes an authorized WebSocket handshake to the upstream and, once the upstream accepts it, joins the two
 * connections byte for byte with back-pressure. The handshake gets the same header hygiene, identity headers and
 * assertion as any request; the access event is written when the upgrade is answered.
 */
final class WebSocketTunnel {

  private final Exchange ex;
  private final Upstreams upstreams;
  private final ErrorResponses errors;
  private final ForwardingHeaders forwardingHeaders;

  WebSocketTunnel(Exchange ex, Upstreams upstreams, ErrorResponses errors, ForwardingHeaders forwardingHeaders) {
    this.ex = ex;
    this.upstreams = upstreams;
    this.errors = errors;
    this.forwardingHeaders = forwardingHeaders;
  }

  /** @param assertion the signed identity assertion; null exactly when {@code identity} is null */
  void open(Route route, Identity identity, String assertion, RequestTarget target) {
    HttpServerRequest request = ex.request;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    forwardingHeaders.prepareRequest(headers, ex, identity, assertion, route, true);
    ex.upstreamStarted(route.upstream().authority());
    upstreams.request(route.upstream(), HttpMethod.GET, target.upstreamUri()).onComplete(ar -> {
      if (ar.failed()) {
        upstreamFailed(ar.cause());
        return;
      }
      HttpClientRequest upstreamRequest = ar.result();
      upstreamRequest.headers().addAll(headers);
      upstreamRequest.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
      upstreamRequest.connect().onComplete(response -> {
        if (response.failed()) {
          upstreamFailed(response.cause());
        } else {
          answer(response.result());
        }
      });
    });
  }

  private void answer(HttpClientResponse upstreamResponse) {
    ex.upstreamResponded(upstreamResponse.statusCode());
    HttpServerResponse response = ex.request.response();
    MultiMap upstreamHeaders = MultiMap.caseInsensitiveMultiMap().addAll(upstreamResponse.headers());
    if (upstreamResponse.statusCode() != 101) {
      ForwardingHeaders.prepareResponse(upstreamHeaders);
      response.setStatusCode(upstreamResponse.statusCode()).headers().addAll(upstreamHeaders);
      ex.request.resume();
      upstreamResponse.body().onComplete(body -> response.end(body.succeeded() ? body.result() : null));
      return;
    }
    NetSocket upstream = upstreamResponse.netSocket();
    String upgrade = upstreamHeaders.get(HttpHeaders.UPGRADE);
    ForwardingHeaders.prepareResponse(upstreamHeaders);
    response.setStatusCode(101).headers().addAll(upstreamHeaders);
    response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    response.putHeader(HttpHeaders.UPGRADE, upgrade == null ? "websocket" : upgrade);
    ex.request.toNetSocket().onComplete(client -> {
      if (client.failed()) {
        upstream.close();
        ex.finish(true);
        return;
      }
      ex.finish(false);
      join(client.result(), upstream);
    });
  }

  private static void join(NetSocket client, NetSocket upstream) {
    client.pipeTo(upstream);
    upstream.pipeTo(client);
    client.closeHandler(v -> upstream.close());
    upstream.closeHandler(v -> client.close());
  }

  private void upstreamFailed(Throwable cause) {
    ex.request.resume();
    boolean timeout = cause.getClass().getSimpleName().contains("Timeout");
    errors.send(ex, timeout ? Reason.UPSTREAM_TIMEOUT : Reason.UPSTREAM_UNAVAILABLE,
        timeout ? "the upstream did not answer in time" : "the upstream is not reachable");
  }
}

package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.audit.WebSocketClosedEvent;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.Route;
import dev.gatehouse.request.RequestTarget;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * assertion as any request; the access event is written when the upgrade is answered, and a {@code websocket_closed}
 * event when the tunnel ends. While open, the tunnel is registered with {@link OpenTunnels}, so a policy change or an
 * expired credential closes it with code 1008, and shutdown with 1001 — at a frame boundary, never in the middle of a
 * frame.
 */
final class WebSocketTunnel implements OpenTunnels.Tunnel {

  /** How long a revoked tunnel may take to reach a frame boundary before it is cut. */
  private static final long REVOKE_GRACE_MILLIS = 5_000;

  private final Exchange ex;
  private final GatewayContext gateway;
  private final Upstreams upstreams;
  private final ErrorResponses errors;
  private final WebSocketFrames toClientFrames = new WebSocketFrames();
  private Identity identity;
  private String host;
  private String path;
  private Context context;
  private NetSocket client;
  private NetSocket upstream;
  private long openedAt;
  private long bytesToUpstream;
  private long bytesToClient;
  private String revokeReason;
  private int revokeCode;
  private boolean closed;

  WebSocketTunnel(Exchange ex, GatewayContext gateway, Upstreams upstreams, ErrorResponses errors) {
    this.ex = ex;
    this.gateway = gateway;
    this.upstreams = upstreams;
    this.errors = errors;
  }

  /** @param assertion the signed identity assertion; null exactly when {@code identity} is null */
  void open(Route route, Identity identity, String assertion, RequestTarget target) {
    this.identity = identity;
    this.host = target.host();
    this.path = target.path();
    this.context = Vertx.currentContext();
    HttpServerRequest request = ex.request;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    gateway.forwardingHeaders().prepareRequest(headers, ex, identity, assertion, route, true);
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
    NetSocket upstreamSocket = upstreamResponse.netSocket();
    String upgrade = upstreamHeaders.get(HttpHeaders.UPGRADE);
    ForwardingHeaders.prepareResponse(upstreamHeaders);
    response.setStatusCode(101).headers().addAll(upstreamHeaders);
    response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
    response.putHeader(HttpHeaders.UPGRADE, upgrade == null ? "websocket" : upgrade);
    ex.request.toNetSocket().onComplete(clientSocket -> {
      if (clientSocket.failed()) {
        upstreamSocket.close();
        ex.finish(true);
        return;
      }
      ex.finish(false);
      join(clientSocket.result(), upstreamSocket);
    });
  }

  private void join(NetSocket clientSocket, NetSocket upstreamSocket) {
    this.client = clientSocket;
    this.upstream = upstreamSocket;
    this.openedAt = System.nanoTime();
    gateway.tunnels().add(this);
    client.handler(buffer -> {
      bytesToUpstream += buffer.length();
      upstream.write(buffer);
      if (upstream.writeQueueFull()) {
        client.pause();
        upstream.drainHandler(v -> client.resume());
      }
    });
    upstream.handler(this::toClient);
    client.closeHandler(v -> closed("client", 0, null));
    upstream.closeHandler(v -> closed("upstream", 0, null));
    client.exceptionHandler(e -> client.close());
    upstream.exceptionHandler(e -> upstream.close());
  }

  private void toClient(Buffer buffer) {
    if (revokeReason == null) {
      toClientFrames.advance(buffer);
      send(buffer);
      return;
    }
    int end = toClientFrames.advanceToFrameEnd(buffer);
    send(end == buffer.length() ? buffer : buffer.slice(0, end));
    if (toClientFrames.atBoundary()) {
      closeWithCode();
    }
  }

  private void send(Buffer buffer) {
    bytesToClient += buffer.length();
    client.write(buffer);
    if (client.writeQueueFull()) {
      upstream.pause();
      client.drainHandler(v -> upstream.resume());
    }
  }

  @Override
  public void end(int closeCode, String reason) {
    if (closed || revokeReason != null) {
      return;
    }
    revokeReason = reason;
    revokeCode = closeCode;
    if (toClientFrames.atBoundary()) {
      closeWithCode();
    } else {
      context.owner().setTimer(REVOKE_GRACE_MILLIS, id -> {
        if (!closed) {
          closed("gateway", 0, revokeReason + " (connection cut: no frame boundary within the grace period)");
          client.close();
          upstream.close();
        }
      });
    }
  }

  private void closeWithCode() {
    if (closed) {
      return;
    }
    closed("gateway", revokeCode, revokeReason);
    upstream.close();
    String said = revokeCode == OpenTunnels.POLICY_VIOLATION ? "access revoked" : "going away";
    client.write(WebSocketFrames.closeFrame(revokeCode, said)).onComplete(v -> client.close());
  }

  private void closed(String by, int code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    gateway.tunnels().remove(this);
    if (by.equals("client")) {
      upstream.close();
    } else if (by.equals("upstream")) {
      client.close();
    }
    gateway.events().record(new WebSocketClosedEvent(gateway.clock().instant(), ex.requestId,
        ex.route == null ? null : ex.route.id(), identity == null ? null : identity.subject(), by, code, reason,
        (System.nanoTime() - openedAt) / 1_000_000, bytesToUpstream, bytesToClient));
  }

  private void upstreamFailed(Throwable cause) {
    ex.request.resume();
    errors.upstreamFailed(ex, cause);
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public Context context() {
    return context;
  }
}

package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.audit.AccessEvent;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.Decision;
import dev.gatehouse.policy.Route;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import javax.net.ssl.SSLSession;

/**
 * What one request did, accumulated as it goes through the pipeline and written as exactly one access event when
 * it ends, however it ends. Confined to the request's event loop.
 */
final class Exchange {

  final HttpServerRequest request;
  final String requestId;
  final Instant startedAt;
  private final long startNanos;
  private final ExchangeRecorder recorder;

  TraceContext trace;
  String traceId;
  String forwardedFor;
  String host;
  String path;
  String query;
  Route route;
  String policyVersion;
  Identity identity;
  Decision decision;
  Reason reason;
  String detail;
  String upstreamAddress;
  int upstreamStatus;
  /** The request body as the upstream reads it (limited, framing errors caught); set when the exchange starts. */
  RequestBody body;
  /** For 429 and 503 answers: when the client may try again (a Retry-After header), or null. */
  java.time.Duration retryAfter;
  private long upstreamStartNanos;
  private long upstreamNanos = -1;
  private boolean finished;

  Exchange(HttpServerRequest request, String requestId, Instant startedAt, long startNanos, ExchangeRecorder recorder) {
    this.request = request;
    this.requestId = requestId;
    this.startedAt = startedAt;
    this.startNanos = startNanos;
    this.recorder = recorder;
  }

  void upstreamStarted(String address) {
    upstreamAddress = address;
    upstreamStartNanos = System.nanoTime();
  }

  void upstreamResponded(int status) {
    upstreamStatus = status;
    upstreamNanos = System.nanoTime() - upstreamStartNanos;
  }

  /**
   * Records the outcome unless one was recorded already (the first word on an exchange is the true one), except that
   * a failure replaces a success: an allowed request whose upstream then fails ended as that failure.
   */
  void outcome(Reason reason, String detail) {
    if (this.reason == null || (this.reason.status() < 400 && reason.status() >= 400)) {
      this.reason = reason;
      this.detail = detail;
    }
  }

  boolean isFinished() {
    return finished;
  }

  /** Writes the access event; later calls do nothing. */
  void finish(boolean aborted) {
    if (finished) {
      return;
    }
    finished = true;
    if (aborted && (reason == null || reason.status() < 400)) {
      reason = Reason.CLIENT_ABORTED;
      detail = "the client closed the connection before the response was complete";
    }
    recorder.record(toEvent(aborted));
  }

  private AccessEvent toEvent(boolean aborted) {
    SSLSession tls = request.sslSession();
    SocketAddress remote = request.remoteAddress();
    Identity id = identity;
    // no head written, no status sent (an HTTP/2 stream the client reset may count as ended without one)
    int status = !request.response().headWritten() ? 0 : request.response().getStatusCode();
    Reason r = reason != null ? reason : status < 400 ? Reason.ALLOWED : Reason.UPSTREAM_FAILED;
    return new AccessEvent(
        startedAt,
        requestId,
        traceId,
        remote == null ? null : remote.hostAddress(),
        forwardedFor,
        tls == null ? null : tls.getProtocol(),
        tls == null ? null : tls.getCipherSuite(),
        httpVersion(),
        isWebSocketHandshake() ? "websocket" : null,
        request.method().name(),
        host,
        path != null ? path : rawPath(),
        query,
        route == null ? null : route.id(),
        policyVersion,
        id == null ? null : id.method().code(),
        id == null ? null : id.subject(),
        id == null ? null : id.email(),
        id == null ? null : id.tenant(),
        id == null ? null : id.issuer(),
        id == null ? null : id.amr(),
        id == null ? null : id.acr(),
        id == null ? null : id.authTime(),
        // refused before the policy could allow it: no access was granted
        decision == null ? Decision.Outcome.DENY.code() : decision.outcome().code(),
        decision == null ? null : decision.rule(),
        r.code(),
        detail,
        status,
        request.bytesRead(),
        request.response().bytesWritten(),
        (System.nanoTime() - startNanos) / 1000,
        upstreamNanos < 0 ? -1 : upstreamNanos / 1000,
        upstreamAddress,
        upstreamStatus,
        request.getHeader("User-Agent"));
  }

  private boolean isWebSocketHandshake() {
    String upgrade = request.getHeader("Upgrade");
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  private String httpVersion() {
    if (request.version() == null) {
      return null; // a request line with a version Vert.x does not know, refused
    }
    return switch (request.version()) {
      case HTTP_1_0 -> "1.0";
      case HTTP_1_1 -> "1.1";
      case HTTP_2 -> "2";
    };
  }

  /** For requests refused before normalization: the raw path, truncated, so the log shows what was attempted. */
  private String rawPath() {
    String uri = request.uri();
    if (uri == null) {
      return null;
    }
    int q = uri.indexOf('?');
    String p = q < 0 ? uri : uri.substring(0, q);
    if (query == null && q >= 0) {
      query = uri.substring(q + 1);
    }
    return p.length() > 1024 ? p.substring(0, 1024) + "..." : p;
  }
}

package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.policy.Decision;
import dev.gatehouse.policy.StepUp;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own answers: a small JSON body with the status, the reason code, a short message, the route and
 * rule when known, and the request id; an RFC 6750 {@code WWW-Authenticate} challenge on 401. Nothing internal
 * (no stack trace, no upstream address) ever appears.
 */
final class ErrorResponses {

  /** How long a connection that is being closed after a refusal may go on delivering the refused request's body. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private final String realm;

  ErrorResponses(String realm) {
    this.realm = realm;
  }

  void send(Exchange ex, Reason reason, String message) {
    ex.outcome(reason, message);
    HttpServerResponse response = ex.request.response();
    if (response.headWritten() || ex.isFinished()) {
      response.reset();
      return;
    }
    response.setStatusCode(reason.status());
    if (ex.retryAfter != null) {
      // RFC 9110 section 10.2.3: whole seconds, rounded up so that a client retrying on time is not refused again
      response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (ex.retryAfter.toMillis() + 999) / 1000)));
    }
    String challenge = challenge(reason, message, ex.decision);
    if (challenge != null) {
      response.putHeader(HeaderNames.WWW_AUTHENTICATE, challenge);
    }
    JsonObject body = new JsonObject()
        .put("status", reason.status())
        .put("reason", reason.code())
        .put("message", message);
    if (ex.route != null) {
      body.put("route", ex.route.id());
    }
    if (ex.decision != null && ex.decision.rule() != null) {
      body.put("rule", ex.decision.rule());
    }
    body.put("request_id", ex.requestId);
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
    response.putHeader(HeaderNames.CACHE_CONTROL, HeaderNames.NO_STORE);
    boolean close = (hasUnreadBody(ex) || closesConnection(reason)) && ex.request.version() != HttpVersion.HTTP_2;
    if (close) {
      // do not read an unwanted upload just to keep the connection alive, nor trust what follows a malformed request
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    if (!ex.request.isEnded()) {
      // (an ended HTTP/2 request throws when resumed: after an upstream failure, say)
      ex.request.resume();
    }
    response.end(body.encode());
    if (close) {
      // Vert.x closes only for the request's own Connection header; a client that ignores ours is cut off here. The
      // rest of an unread upload is drained (and dropped) for a moment first, so that closing with unread data does
      // not reset the connection under the answer before the client has read it.
      ex.request.connection().shutdown(LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Refusals after which an HTTP/1.x connection is closed: a client that sent a malformed, oversized or too slow
   * request, or a connection over the limit, gets no second request on it.
   */
  static boolean closesConnection(Reason reason) {
    return switch (reason.status()) {
      case 400, 408, 413, 414, 431 -> true;
      default -> reason == Reason.TOO_MANY_CONNECTIONS;
    };
  }

  /** Answers a request whose upstream could not be reached or failed before answering: 504, 502, or 502. */
  void upstreamFailed(Exchange ex, Throwable cause) {
    if (isTimeout(cause)) {
      send(ex, Reason.UPSTREAM_TIMEOUT, "the upstream did not answer in time");
    } else if (cause instanceof java.net.ConnectException) {
      send(ex, Reason.UPSTREAM_UNAVAILABLE, "the upstream is not reachable");
    } else {
      send(ex, Reason.UPSTREAM_FAILED, "the upstream connection failed");
    }
  }

  /** Whether an upstream failure was a timeout (Vert.x and Netty signal them with different exception types). */
  static boolean isTimeout(Throwable cause) {
    return cause instanceof java.util.concurrent.TimeoutException || cause.getClass().getSimpleName().contains("Timeout");
  }

  private static boolean hasUnreadBody(Exchange ex) {
    if (ex.request.isEnded()) {
      return false;
    }
    String length = ex.request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return ex.request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.equals("0"))
        || ex.request.version() == HttpVersion.HTTP_2;
  }

  private String challenge(Reason reason, String message, Decision decision) {
    if (reason.status() != 401) {
      return null;
    }
    StringBuilder sb = new StringBuilder("Bearer realm=\"").append(realm).append('"');
    switch (reason) {
      case CREDENTIAL_MISSING -> {
        // RFC 6750 section 3.1: no error code when the request carried no credentials
      }
      case MFA_REQUIRED -> {
        // RFC 9470: the caller must authenticate again, more strongly or more recently
        sb.append(", error=\"insufficient_user_authentication\", error_description=\"").append(quoted(message)).append('"');
        StepUp stepUp = decision == null ? null : decision.stepUp();
        if (stepUp != null && !stepUp.acrValues().isEmpty()) {
          sb.append(", acr_values=\"").append(quoted(String.join(" ", stepUp.acrValues()))).append('"');
        }
        if (stepUp != null && stepUp.maxAge() != null) {
          sb.append(", max_age=").append(stepUp.maxAge().toSeconds());
        }
      }
      default -> sb.append(", error=\"invalid_token\", error_description=\"").append(quoted(message)).append('"');
    }
    return sb.toString();
  }

  private static String quoted(String s) {
    return s.replace("\\", "").replace("\"", "'");
  }
}

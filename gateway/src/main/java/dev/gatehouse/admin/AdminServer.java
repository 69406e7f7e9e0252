package dev.gatehouse.admin;

import dev.gatehouse.audit.AccessEvent;
import dev.gatehouse.audit.AdminAccessEvent;
import dev.gatehouse.audit.AdminActionEvent;
import dev.gatehouse.audit.AuditEvent;
import dev.gatehouse.audit.EventSubscriber;
import dev.gatehouse.audit.Subscription;
import dev.gatehouse.policy.PolicyFile;
import dev.gatehouse.policy.PolicyStatus;
import dev.gatehouse.policy.ReloadResult;
import dev.gatehouse.proxy.RequestIds;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The admin listener's endpoints. {@code /healthz} and {@code /readyz} answer anyone (orchestrators probe them);
 * everything else needs a client certificate issued by the admin CA (the TLS layer already refused any other CA's).
 * No decision uses the network address: loopback gets no exception. Every request is an {@code admin_access} event
 * naming the certificate's subject.
 */
public final class AdminServer implements Handler<HttpServerRequest> {

  /** What the admin endpoints read from and act on. */
  public interface Gateway {
    boolean accepting();

    PolicyStatus policyStatus();

    Future<ReloadResult> reloadPolicy(String trigger);

    String jwks();

    Readiness readiness();

    dev.gatehouse.audit.EventLog events();
  }

  private final Gateway gateway;
  private final GatewayMetrics metrics;
  private final InstantSource clock;

  public AdminServer(Gateway gateway, GatewayMetrics metrics, InstantSource clock) {
    this.gateway = gateway;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public void handle(HttpServerRequest request) {
    long start = System.nanoTime();
    String requestId = RequestIds.next();
    String subject = clientCertificate(request);
    HttpServerResponse response = request.response();
    response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.putHeader("X-Request-Id", requestId);
    String[] reason = {null};
    response.endHandler(v -> record(request, requestId, subject, response.getStatusCode(), reason[0], start));
    // a response has one close handler: what else must happen on close (ending a live stream) is added to this list
    List<Runnable> onClose = new ArrayList<>(1);
    response.closeHandler(v -> {
      onClose.forEach(Runnable::run);
      if (!response.ended()) {
        record(request, requestId, subject, response.getStatusCode(), "client-aborted", start);
      }
    });
    String path = request.path();
    if (path.equals("/healthz")) {
      json(response, 200, new JsonObject().put("status", "alive"));
      return;
    }
    if (path.equals("/readyz")) {
      Readiness r = gateway.readiness();
      json(response, r.ready() ? 200 : 503, r.toJson());
      return;
    }
    if (subject == null) {
      refuse(response, reason, requestId, 403, "client-certificate-required",
          "this endpoint needs a client certificate issued by the admin CA");
      return;
    }
    switch (path) {
      case "/metrics" -> response.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.scrape());
      case "/policy" -> json(response, 200, policy(gateway.policyStatus()));
      case "/policy/reload" -> reload(request, response, reason, requestId, subject);
      case "/jwks.json" -> response.putHeader(HttpHeaders.CONTENT_TYPE, "application/jwk-set+json").end(gateway.jwks());
      case "/events" -> stream(request, response, onClose);
      default -> refuse(response, reason, requestId, 404, "route-not-found", "no admin endpoint at " + path);
    }
  }

  private void reload(HttpServerRequest request, HttpServerResponse response, String[] reason, String requestId,
      String subject) {
    if (request.method() != HttpMethod.POST) {
      refuse(response.putHeader("Allow", "POST"), reason, requestId, 405, "method-not-allowed",
          "a policy reload is a POST");
      return;
    }
    String address = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    gateway.reloadPolicy("admin").onComplete(ar -> {
      String result = ar.failed() ? "error" : ar.result().outcome();
      gateway.events().record(new AdminActionEvent(clock.instant(), requestId, subject, address, "policy-reload",
          "policy", result, ar.failed() ? ar.cause().toString() : ar.result().inForce().version()));
      if (ar.failed()) {
        refuse(response, reason, requestId, 500, "internal-error",
            "the reload failed; its admin_action event in the log says why");
        return;
      }
      JsonObject body = new JsonObject().put("result", result).put("version", ar.result().inForce().version());
      if (ar.result() instanceof ReloadResult.Rejected rejected) {
        body.put("errors", new JsonArray(rejected.problems().stream().map(Object::toString).toList()));
      }
      json(response, 200, body);
    });
  }

  /** Answers with an error body like the main listener's, and gives the request's event the same reason. */
  private static void refuse(HttpServerResponse response, String[] reason, String requestId, int status, String code,
      String message) {
    reason[0] = code;
    json(response, status, new JsonObject().put("status", status).put("reason", code).put("message", message)
        .put("request_id", requestId));
  }

  /**
   * Server-Sent Events: every event line as it is written, optionally only access events for a route, subject or
   * decision ({@code ?route=billing&decision=deny}). A client that falls behind gets a {@code missed} comment instead
   * of the events it missed; the log itself never waits for it.
   */
  private void stream(HttpServerRequest request, HttpServerResponse response, List<Runnable> onClose) {
    Predicate<AuditEvent> filter = filter(request.params().get("type"), request.params().get("route"),
        request.params().get("subject"), request.params().get("decision"));
    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream").setChunked(true);
    response.write(": gatehouse event stream\n\n");
    Context context = Vertx.currentContext();
    LiveStream live = new LiveStream(response);
    response.drainHandler(v -> live.sayMissed());
    Subscription subscription = gateway.events().subscribe(filter, command -> context.runOnContext(v -> command.run()),
        live);
    long heartbeat = context.owner().setPeriodic(15_000, id -> {
      if (!response.closed()) {
        response.write(": keep-alive\n\n");
      }
    });
    onClose.add(() -> {
      subscription.close();
      context.owner().cancelTimer(heartbeat);
    });
  }

  /**
   * Writes event lines to one live-stream client, on its event loop. Lines the client is too slow for (its write queue
   * is full, or the log's buffer for it overflowed) are counted, and the count is written as a comment as soon as the
   * client can take it again.
   */
  private static final class LiveStream implements EventSubscriber {

    private final HttpServerResponse response;
    private long missed;

    LiveStream(HttpServerResponse response) {
      this.response = response;
    }

    @Override
    public void onEvent(String line) {
      if (response.closed()) {
        return;
      }
      if (response.writeQueueFull()) {
        missed++;
        return;
      }
      sayMissed();
      response.write("data: " + line + "\n\n");
    }

    @Override
    public void onMissed(long count) {
      missed += count;
      sayMissed();
    }

    @Override
    public void onClosed() {
      if (!response.closed()) {
        response.end();
      }
    }

    void sayMissed() {
      if (missed > 0 && !response.closed() && !response.writeQueueFull()) {
        response.write(": missed " + missed + " events\n\n");
        missed = 0;
      }
    }
  }

  static Predicate<AuditEvent> filter(String type, String route, String subject, String decision) {
    return event -> {
      if (type != null && !type.equals(event.type())) {
        return false;
      }
      if (route == null && subject == null && decision == null) {
        return true;
      }
      if (!(event instanceof AccessEvent a)) {
        return false;
      }
      return (route == null || route.equals(a.routeId())) && (subject == null || subject.equals(a.subject()))
          && (decision == null || decision.equals(a.decision()));
    };
  }

  private static JsonObject policy(PolicyStatus status) {
    JsonArray files = new JsonArray();
    for (PolicyFile f : status.files()) {
      files.add(new JsonObject().put("name", f.name()).put("sha256", f.sha256()));
    }
    return new JsonObject().put("version", status.version()).put("loaded_at", status.loadedAt().toString())
        .put("files", files)
        .put("last_reload", status.lastAttempt() == null ? null : new JsonObject()
            .put("at", status.lastAttempt().toString()).put("result", status.lastResult())
            .put("errors", new JsonArray(status.lastErrors())))
        .put("reloads", new JsonObject().put("applied", status.applied()).put("rejected", status.rejected()));
  }

  private void record(HttpServerRequest request, String requestId, String subject, int status, String reason, long start) {
    gateway.events().record(new AdminAccessEvent(clock.instant(), requestId,
        request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(), subject, request.method().name(),
        request.path(), request.query(), status, reason, (System.nanoTime() - start) / 1000,
        request.getHeader("User-Agent")));
  }

  /** The verified client certificate's subject, or null when none was presented. */
  static String clientCertificate(HttpServerRequest request) {
    try {
      var session = request.sslSession();
      if (session == null) {
        return null;
      }
      var chain = session.getPeerCertificates();
      return chain.length == 0 ? null : ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(body.encode());
  }

  /** Starts the admin listener. */
  public static Future<HttpServer> listen(Vertx vertx, io.vertx.core.http.HttpServerOptions options, AdminServer handler) {
    return vertx.createHttpServer(options).requestHandler(handler).listen();
  }

}

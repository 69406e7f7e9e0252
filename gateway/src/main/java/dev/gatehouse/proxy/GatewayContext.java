package dev.gatehouse.proxy;

import dev.gatehouse.audit.EventLog;
import dev.gatehouse.audit.TrustedProxies;
import dev.gatehouse.identity.AssertionSigner;
import dev.gatehouse.identity.TokenVerifier;
import dev.gatehouse.policy.PolicyStore;
import dev.gatehouse.policy.RecentRequests;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.InstantSource;

/**
 * What every event loop's pipeline shares: the policy in force, the token verifier, the event log, the clock, the
 * header writer, the assertion signer and the gateway's own endpoints.
 */
final class GatewayContext {

  private final PolicyStore policies;
  private final TokenVerifier verifier;
  private final EventLog events;
  private final InstantSource clock;
  private final String realm;
  private final String hsts;
  private final ForwardingHeaders forwardingHeaders;
  private final AssertionSigner assertions;
  private final GatewayEndpoints endpoints;
  private final RecentRequests recent;
  private final OpenTunnels tunnels;
  private final TrustedProxies trustedProxies;
  private final ExchangeRecorder recorder;
  private final BrowserSignIn browser;

  /** @param browser browser sign-in, or null when only bearer tokens are accepted */
  GatewayContext(PolicyStore policies, TokenVerifier verifier, EventLog events, InstantSource clock, String realm,
      String hsts, ForwardingHeaders forwardingHeaders, AssertionSigner assertions, GatewayEndpoints endpoints,
      RecentRequests recent, OpenTunnels tunnels, TrustedProxies trustedProxies,
      ExchangeRecorder recorder, BrowserSignIn browser) {
    this.policies = policies;
    this.verifier = verifier;
    this.events = events;
    this.clock = clock;
    this.realm = realm;
    this.hsts = hsts;
    this.forwardingHeaders = forwardingHeaders;
    this.assertions = assertions;
    this.endpoints = endpoints;
    this.recent = recent;
    this.tunnels = tunnels;
    this.trustedProxies = trustedProxies;
    this.recorder = recorder;
    this.browser = browser;
  }

  /** Browser sign-in, or null when it is not configured. */
  BrowserSignIn browser() {
    return browser;
  }

  ForwardingHeaders forwardingHeaders() {
    return forwardingHeaders;
  }

  AssertionSigner assertions() {
    return assertions;
  }

  GatewayEndpoints endpoints() {
    return endpoints;
  }

  OpenTunnels tunnels() {
    return tunnels;
  }

  /** The requests a reload replays against a candidate policy. */
  RecentRequests recent() {
    return recent;
  }

  PolicyStore policies() {
    return policies;
  }

  TokenVerifier verifier() {
    return verifier;
  }

  InstantSource clock() {
    return clock;
  }

  String realm() {
    return realm;
  }

  EventLog events() {
    return events;
  }

  /**
   * Runs {@code serve} once the event log has room for the request's event: at once, or (the queue being full) when
   * the writer has caught up, on the request's event loop. Runs {@code refuse} instead while the log cannot be
   * written and the failure policy is deny. Never blocks.
   */
  void admit(Exchange ex, Runnable serve, Runnable refuse) {
    switch (events.admission()) {
      case NOW -> serve.run();
      case REFUSE -> refuse.run();
      case WAIT -> {
        Context context = Vertx.currentContext();
        events.whenRoom(task -> context.runOnContext(v -> task.run()), () -> {
          if (!ex.isFinished()) {
            admit(ex, serve, refuse);
          }
        });
      }
    }
  }

  /**
   * Starts the record of a request: assigns its id and trace context, puts HSTS and the request id on the response (every response,
   * whoever writes it), and arranges for exactly one access event when the response ends or the connection drops.
   */
  Exchange newExchange(HttpServerRequest request) {
    recorder.opened();
    Exchange ex = new Exchange(request, RequestIds.next(), clock.instant(), System.nanoTime(), recorder);
    ex.trace = TraceContext.of(request.headers(), ex.requestId);
    ex.traceId = ex.trace.traceId();
    if (!trustedProxies.isEmpty()) {
      // for the log only: nothing downstream of here reads it
      ex.forwardedFor = trustedProxies.clientAddress(request.remoteAddress() == null ? null
          : request.remoteAddress().hostAddress(), request.headers().getAll("Forwarded"),
          request.headers().getAll("X-Forwarded-For"));
    }
    HttpServerResponse response = request.response();
    response.putHeader(HeaderNames.STRICT_TRANSPORT_SECURITY, hsts);
    response.putHeader(HeaderNames.REQUEST_ID, ex.requestId);
    response.endHandler(v -> ex.finish(false));
    // HTTP/2 closes the stream (and calls this) before the end handler when the request had ended first, e.g. after
    // a paused request was answered asynchronously: only a response that never ended was cut short
    response.closeHandler(v -> ex.finish(!response.ended()));
    return ex;
  }
}

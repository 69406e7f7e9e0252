package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.identity.Session;
import dev.gatehouse.identity.TokenVerifier;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.Decision;
import dev.gatehouse.policy.PolicyEvaluator;
import dev.gatehouse.policy.RecentRequests;
import dev.gatehouse.policy.Route;
import dev.gatehouse.policy.RouteMatch;
import dev.gatehouse.policy.RouteTable;
import dev.gatehouse.request.RequestTarget;
import dev.gatehouse.request.TargetParser;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request pipeline: normalize, route, authenticate, authorize, rewrite headers, proxy; one access event at the
 * end. Each request reads the policy in force once and is judged by that generation throughout. Every stage either
 * passes the exchange on or ends it with a response; a failure anywhere ends it with a 4xx or 5xx, never with a
 * forwarded request.
 */
final class GatewayHandler implements Handler<HttpServerRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayHandler.class);

  private final GatewayContext gateway;
  private final Upstreams upstreams;
  private final ErrorResponses errors;
  private final Safeguards safeguards;
  private final ConnectionGuard connections;

  GatewayHandler(GatewayContext gateway, Upstreams upstreams, Safeguards safeguards, ConnectionGuard connections) {
    this.gateway = gateway;
    this.upstreams = upstreams;
    this.errors = new ErrorResponses(gateway.realm());
    this.safeguards = safeguards;
    this.connections = connections;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request.pause();
    Exchange ex = gateway.newExchange(request);
    ex.body = RequestBody.watch(ex, errors);
    gateway.admit(ex, () -> process(ex), () -> {
      ex.policyVersion = gateway.policies().current().version();
      errors.send(ex, Reason.AUDIT_UNAVAILABLE, "the audit log cannot be written, so no request is served");
    });
  }

  private void process(Exchange ex) {
    HttpServerRequest request = ex.request;
    CompiledPolicy policy = gateway.policies().current();
    ex.policyVersion = policy.version();
    try {
      switch (connections.refusal(request.connection())) {
        case OVER_LIMIT -> {
          refuseOverLimit(ex);
          return;
        }
        case UNTRUSTED_PROXY -> {
          // its connection is being closed already; nothing it sent is served
          errors.send(ex, Reason.BAD_REQUEST, "the PROXY protocol header came from a peer that may not send one");
          request.connection().close();
          return;
        }
        case NONE -> { }
      }
      safeguards.checkHead(request);
      RequestTarget target = TargetParser.parse(request.uri(), host(request));
      ex.host = target.host();
      ex.path = target.path();
      ex.query = target.query();
      if (GatewayEndpoints.isReserved(target.path())) {
        gateway.endpoints().handle(ex, target.path());
        return;
      }
      RouteTable.Lookup lookup = policy.routes().find(target.host(), target.path(), request.method().name());
      if (lookup.match() == null) {
        throw lookup.methodMismatch()
            ? Reason.METHOD_NOT_ALLOWED.reject("this route does not take " + request.method().name() + " requests")
            : Reason.ROUTE_NOT_FOUND.reject("no route for this host and path");
      }
      RouteMatch match = lookup.match();
      ex.route = match.route();
      safeguards.checkDeclaredBody(request, match.route());
      if (match.route().isPublic()) {
        decide(ex, policy, match, null, target, null);
        return;
      }
      BrowserSignIn browser = gateway.browser();
      if (browser != null && !request.headers().contains(HttpHeaders.AUTHORIZATION)) {
        // no credential in the header: the session cookie is the credential (a bad bearer token never gets here)
        browser.authenticate(ex).onComplete(ar -> {
          if (ar.failed()) {
            signInOrFail(ex, target, ar.cause());
            return;
          }
          ex.identity = browser.identity(ar.result());
          try {
            decide(ex, policy, match, ex.identity, target, ar.result());
          } catch (RuntimeException e) {
            fail(ex, e);
          }
        });
        return;
      }
      safeguards.checkAuthenticationAllowed(ex);
      String token = bearerToken(request);
      gateway.verifier().verify(token).onComplete(ar -> {
        if (ar.failed()) {
          fail(ex, ar.cause());
          return;
        }
        ex.identity = ar.result();
        try {
          decide(ex, policy, match, ar.result(), target, null);
        } catch (RuntimeException e) {
          fail(ex, e);
        }
      });
    } catch (RuntimeException e) {
      fail(ex, e);
    }
  }

  /**
   * A request without a usable session: a browser navigation is sent to sign in (a tampered or expired cookie counts
   * as none, never as a session); anything else gets its 401.
   */
  private void signInOrFail(Exchange ex, RequestTarget target, Throwable cause) {
    if (cause instanceof Reason.Rejection r && gateway.browser().isNavigation(ex)
        && (r.reason() == Reason.CREDENTIAL_MISSING || r.reason() == Reason.SESSION_INVALID
            || r.reason() == Reason.SESSION_EXPIRED)) {
      gateway.browser().startSignIn(ex, target, null, r.reason(), r.detail());
      return;
    }
    fail(ex, cause);
  }

  /**
   * @param session the browser session the identity comes from, or null for a bearer token or a public route
   */
  private void decide(Exchange ex, CompiledPolicy policy, RouteMatch match, Identity identity, RequestTarget target,
      Session session) {
    Decision decision = PolicyEvaluator.evaluate(policy, match, identity, ex.request.method().name(), gateway.clock().instant());
    ex.decision = decision;
    gateway.recent().add(new RecentRequests.Sample(identity, ex.request.method().name(), target.host(), target.path()));
    if (!decision.allowed()) {
      if (session != null && gateway.browser().isNavigation(ex)) {
        // a person in a browser: step up at the provider, or a page that says why; never a redirect loop
        if (decision.outcome() == Decision.Outcome.STEP_UP) {
          gateway.browser().stepUp(ex, target, session, decision);
        } else {
          gateway.browser().denied(ex, session, decision);
        }
        return;
      }
      errors.send(ex, decision.reason(), decision.detail());
      return;
    }
    Route route = match.route();
    safeguards.checkRouteRate(ex, route, identity);
    // fail closed: a request that needs an assertion and cannot get one is not forwarded at all
    String assertion = identity == null ? null : gateway.assertions().sign(identity, route.id(),
        route.options().audience(), decision.permissionsUsed(), ex.requestId);
    ex.outcome(decision.reason(), decision.detail());
    forward(ex, route, identity, assertion, target);
  }

  private void forward(Exchange ex, Route route, Identity identity, String assertion, RequestTarget target) {
    HttpServerRequest request = ex.request;
    if (request.canUpgradeToWebSocket()) {
      new WebSocketTunnel(ex, gateway, upstreams, errors).open(route, identity, assertion, target);
      return;
    }
    RequestBody body = ex.body.limit(safeguards.maxBodySize(route));
    ProxyRequest proxyRequest = ProxyRequest.reverseProxy(request);
    // the upstream reads the body through the guard: counted against the route's limit, reset (never ended) on failure
    proxyRequest.setBody(Body.body(body, proxyRequest.getBody().length()));
    proxyRequest.setURI(target.upstreamUri());
    gateway.forwardingHeaders().prepareRequest(proxyRequest.headers(), ex, identity, assertion, route, false);
    // taken last, so that every permit reaches the outcome below (a probe that never reported would block the breaker)
    CircuitBreakers.Permit permit = safeguards.breakers().acquire(breakerKey(route), ex);
    if (expectsContinue(request)) {
      // only now that the request is allowed may the client send its body
      request.response().writeContinue();
    }
    ex.upstreamStarted(route.upstream().authority());
    upstreams.request(route.upstream(), request.method(), target.upstreamUri())
        .compose(upstreamRequest -> {
          // failures surface through the response future below; this only keeps Vert.x from logging them twice
          upstreamRequest.exceptionHandler(e -> LOG.debug("request {} to the upstream failed: {}", ex.requestId, e.toString()));
          return proxyRequest.send(upstreamRequest);
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            proxyRequest.release();
            // the client's side ended it (refused body, framing error, gone: the proxy then resets the upstream
            // request): it says nothing about the upstream
            if (body.refused() || RequestBody.causedByRefusal(ar.cause())) {
              permit.released(); // answered 413 or 400 by the body's guard
              return;
            }
            if (body.clientFailed() || ex.isFinished() || request.response().closed()
                || RequestBody.causedByClientGone(ar.cause())) {
              permit.released();
              ex.outcome(Reason.CLIENT_ABORTED, "the client went away before the upstream answered");
              return;
            }
            permit.failed();
            errors.upstreamFailed(ex, ar.cause());
            return;
          }
          permit.succeeded();
          ProxyResponse response = ar.result();
          ex.upstreamResponded(response.getStatusCode());
          ForwardingHeaders.prepareResponse(response.headers());
          upstreams.guardBody(response);
          UnknownLengthResponses.capForHttp10(ex, response);
          response.send().onFailure(e -> {
            // the response has begun, so the client's stream is reset (a clean end would pass a truncated body off
            // as complete); the access event keeps why
            if (ErrorResponses.isTimeout(e)) {
              ex.outcome(Reason.UPSTREAM_TIMEOUT, "the upstream stopped sending its response");
            } else {
              ex.outcome(Reason.UPSTREAM_FAILED, "the connection broke while the response was being sent");
            }
          });
        });
  }

  /** Circuit breakers are per upstream address: scheme, host and port. */
  private static String breakerKey(Route route) {
    return (route.upstream().tls() ? "https://" : "http://") + route.upstream().authority();
  }

  /**
   * A connection beyond {@code limits.maxConnections}: its request is answered {@code 503 too-many-connections} and the
   * connection is shut down after the answer (HTTP/2: GOAWAY), so the client can read why.
   */
  private void refuseOverLimit(Exchange ex) {
    errors.send(ex, Reason.TOO_MANY_CONNECTIONS, "the gateway has too many open connections; try again later");
    if (ex.request.version() == HttpVersion.HTTP_2) {
      // (an HTTP/1.x connection is closed by the answer itself)
      ex.request.connection().shutdown(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private void fail(Exchange ex, Throwable failure) {
    Throwable cause = safeguards.onFailure(ex, failure);
    if (cause instanceof Reason.Rejection r) {
      errors.send(ex, r.reason(), r.detail());
    } else {
      LOG.error("request {} failed unexpectedly", ex.requestId, cause);
      errors.send(ex, Reason.INTERNAL_ERROR, "internal error");
    }
  }

  /** The host the request is for: HTTP/2 {@code :authority}, or the single HTTP/1.x Host header. */
  private static String host(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      HostAndPort authority = request.authority();
      String hostHeader = request.getHeader(HttpHeaders.HOST);
      if (authority == null) {
        return hostHeader == null ? null : stripPort(hostHeader);
      }
      if (hostHeader != null && !stripPort(hostHeader).equalsIgnoreCase(authority.host())) {
        throw Reason.HOST_INVALID.reject("the Host header contradicts :authority");
      }
      return authority.host();
    }
    List<String> hosts = request.headers().getAll(HttpHeaders.HOST);
    if (hosts.size() > 1) {
      throw Reason.HOST_INVALID.reject("more than one Host header");
    }
    return hosts.isEmpty() ? null : stripPort(hosts.get(0));
  }

  private static String stripPort(String hostAndPort) {
    String h = hostAndPort.trim();
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? h : h.substring(0, close + 1);
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      String port = h.substring(colon + 1);
      if (port.isEmpty() || !port.chars().allMatch(Character::isDigit)) {
        throw Reason.HOST_INVALID.reject("invalid port in Host header");
      }
      return h.substring(0, colon);
    }
    return h;
  }

  /** The bearer token of the single Authorization header (RFC 6750 section 2.1). */
  private static String bearerToken(HttpServerRequest request) {
    List<String> values = request.headers().getAll(HttpHeaders.AUTHORIZATION);
    if (values.isEmpty()) {
      throw Reason.CREDENTIAL_MISSING.reject("a bearer token is required");
    }
    if (values.size() > 1) {
      throw Reason.TOKEN_INVALID.reject("more than one Authorization header");
    }
    String value = values.get(0);
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw Reason.CREDENTIAL_MISSING.reject("only Bearer tokens are accepted");
    }
    String token = value.substring(7).trim();
    if (token.isEmpty() || !isB64Token(token)) {
      throw Reason.TOKEN_INVALID.reject("the bearer token has invalid characters");
    }
    return token;
  }

  private static boolean isB64Token(String token) {
    int i = 0;
    int n = token.length();
    while (i < n) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
      if (!ok) {
        break;
      }
      i++;
    }
    while (i < n && token.charAt(i) == '=') {
      i++;
    }
    return i == n;
  }

  private static boolean expectsContinue(HttpServerRequest request) {
    String expect = request.getHeader(HttpHeaders.EXPECT);
    return expect != null && expect.equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0;
  }

  /** Answers a request that Vert.x could not even parse (bad request line, oversized headers). */
  static Handler<HttpServerRequest> invalidRequestHandler(GatewayContext gateway) {
    ErrorResponses errors = new ErrorResponses(gateway.realm());
    return request -> {
      Exchange ex = gateway.newExchange(request);
      // refused whatever the log's state, so a failing log changes nothing here; a full one still makes it wait
      Runnable refuse = () -> {
        ex.policyVersion = gateway.policies().current().version();
        Throwable cause = request.decoderResult().cause();
        Reason reason = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? Reason.URI_TOO_LONG
            : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? Reason.HEADERS_TOO_LARGE
            : cause instanceof RequestFraming.HeaderTimeoutException ? Reason.REQUEST_TIMEOUT
            : Reason.BAD_REQUEST;
        // the gateway's own refusals name the problem; Netty's messages are not shown to clients
        String detail = cause instanceof RequestFraming.FramingException
            || cause instanceof RequestFraming.HeaderTimeoutException ? cause.getMessage()
            : reason == Reason.BAD_REQUEST ? "malformed HTTP request" : "request line or headers too large";
        request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        errors.send(ex, reason, detail);
        // never read on after a framing error: what follows cannot be trusted to be a request
        request.connection().close();
      };
      gateway.admit(ex, refuse, refuse);
    };
  }
}

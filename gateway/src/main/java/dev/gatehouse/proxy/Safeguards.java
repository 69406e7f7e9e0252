package dev.gatehouse.proxy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.RateLimit;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.Route;
import dev.gatehouse.request.ClientAddress;
import dev.gatehouse.request.TokenBuckets;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What protects the gateway and its upstreams from hostile clients and failing dependencies, shared by every event
 * loop: the request limits, the failed-authentication and per-route rate limits, the circuit breakers, and the count of
 * open connections. Each check either returns or throws the {@link Reason.Rejection} to answer with (setting the
 * exchange's Retry-After where one applies). Cheap on the happy path: no allocation unless a limit is close.
 *
 * <p>Failed authentications are counted per client address (the TCP peer, never a header; see {@link ClientAddress})
 * and per subject. An address that used up its budget is refused before its token is even looked at, so it can make
 * the gateway do neither signature checks nor JWKS refreshes. The subject is the one the failing token claims, which
 * nobody has verified; so the per-subject limit only ever changes how failing requests are answered (429 with
 * Retry-After instead of 401) and never refuses a token that verifies: otherwise anyone could lock a user out by
 * sending bad tokens in their name.
 */
final class Safeguards {

  private final GatewayConfig.Limits limits;
  private final GatewayConfig.RateLimits rateLimits;
  private final TokenBuckets failedByAddress;
  private final TokenBuckets failedBySubject;
  private final TokenBuckets routeBuckets;
  private final CircuitBreakers breakers;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final java.util.List<dev.gatehouse.audit.AddressRange> proxySources;

  Safeguards(GatewayConfig config, InstantSource clock) {
    this.limits = config.limits();
    this.rateLimits = config.rateLimits();
    int keys = rateLimits.maxTrackedKeys();
    this.failedByAddress = new TokenBuckets(keys, clock);
    this.failedBySubject = new TokenBuckets(keys, clock);
    this.routeBuckets = new TokenBuckets(keys, clock);
    this.breakers = new CircuitBreakers(config.upstreams().circuitBreaker(), clock);
    GatewayConfig.ProxyProtocol proxy = config.listener().proxyProtocol();
    this.proxySources = proxy == null ? null : proxy.trustedSources();
  }

  /** The peers allowed to send a PROXY protocol header, or null when the listener does not use it. */
  java.util.List<dev.gatehouse.audit.AddressRange> proxySources() {
    return proxySources;
  }

  GatewayConfig.Limits limits() {
    return limits;
  }

  CircuitBreakers breakers() {
    return breakers;
  }

  /** The count of open client connections that every event loop's {@link ConnectionGuard} shares. */
  AtomicInteger openConnections() {
    return openConnections;
  }

  /** Limits on the request head that the decoder does not cover for every protocol: target, query, header count. */
  void checkHead(HttpServerRequest request) {
    String uri = request.uri();
    if (uri != null && uri.length() > limits.maxUriLength()) {
      throw Reason.URI_TOO_LONG.reject("the request target is longer than " + limits.maxUriLength() + " characters");
    }
    int q = uri == null ? -1 : uri.indexOf('?');
    if (q >= 0 && uri.length() - q - 1 > limits.maxQueryLength()) {
      throw Reason.URI_TOO_LONG.reject("the query is longer than " + limits.maxQueryLength() + " characters");
    }
    if (fieldCount(request.headers()) > limits.maxHeaders()) {
      throw Reason.HEADERS_TOO_LARGE.reject("more than " + limits.maxHeaders() + " header fields");
    }
  }

  /**
   * Header fields, repeated names counted each time. One pass over the entries: {@code MultiMap.size()} would build
   * a sorted set of the names on every request.
   */
  private static int fieldCount(io.vertx.core.MultiMap headers) {
    int n = 0;
    for (var ignored : headers) {
      n++;
    }
    return n;
  }

  /** The largest request body {@code route} takes. */
  long maxBodySize(Route route) {
    return route.options().maxBodySize(limits.maxBodySize());
  }

  /** Refuses up front, before reading any of it, a body whose declared length is over the route's limit. */
  void checkDeclaredBody(HttpServerRequest request, Route route) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return;
    }
    long max = maxBodySize(route);
    long declared;
    try {
      declared = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw Reason.BAD_REQUEST.reject("invalid Content-Length");
    }
    if (declared > max) {
      throw Reason.BODY_TOO_LARGE.reject("the request body is larger than " + max + " bytes");
    }
  }

  /**
   * Before a credential is checked: an address that used up its failed-authentication budget is refused at once,
   * whatever it sends, so it costs no signature check and can trigger no JWKS refresh.
   */
  void checkAuthenticationAllowed(Exchange ex) {
    if (rateLimits.failedAuthPerAddress().isEmpty()) {
      return;
    }
    RateLimit limit = rateLimits.failedAuthPerAddress().get();
    String address = addressKey(ex);
    if (address == null) {
      return;
    }
    TokenBuckets.Verdict verdict = failedByAddress.peek(address, limit);
    if (!verdict.allowed()) {
      ex.retryAfter = verdict.retryAfter();
      throw Reason.RATE_LIMITED.reject("too many failed authentications from this address");
    }
  }

  /**
   * Called with every failure of an exchange; counts failed authentications and returns what to answer: the failure
   * itself, or {@code 429 rate-limited} once the address's or the claimed subject's budget is used up.
   */
  Throwable onFailure(Exchange ex, Throwable cause) {
    if (!(cause instanceof Reason.Rejection r) || !countsAsFailedAuthentication(r.reason())) {
      return cause;
    }
    TokenBuckets.Verdict byAddress = TokenBuckets.Verdict.ALLOWED;
    String address = addressKey(ex);
    if (address != null && rateLimits.failedAuthPerAddress().isPresent()) {
      byAddress = failedByAddress.take(address, rateLimits.failedAuthPerAddress().get());
    }
    TokenBuckets.Verdict bySubject = TokenBuckets.Verdict.ALLOWED;
    if (rateLimits.failedAuthPerSubject().isPresent()) {
      String subject = claimedSubject(ex.request);
      if (subject != null) {
        bySubject = failedBySubject.take(subject, rateLimits.failedAuthPerSubject().get());
      }
    }
    if (byAddress.allowed() && bySubject.allowed()) {
      return cause;
    }
    ex.retryAfter = byAddress.retryAfter().compareTo(bySubject.retryAfter()) > 0 ? byAddress.retryAfter()
        : bySubject.retryAfter();
    return Reason.RATE_LIMITED.reject(byAddress.allowed()
        ? "too many failed authentications in this subject's name (" + r.reason().code() + ")"
        : "too many failed authentications from this address (" + r.reason().code() + ")");
  }

  /**
   * A route's own rate limit, per caller: the subject, or the client address on a public route. Taken for requests the
   * policy allowed, just before they are forwarded.
   */
  void checkRouteRate(Exchange ex, Route route, Identity identity) {
    RateLimit limit = route.options().rateLimit();
    if (limit == null) {
      return;
    }
    String caller = identity != null ? "s:" + identity.issuer() + " " + identity.subject() : "a:" + addressKey(ex);
    TokenBuckets.Verdict verdict = routeBuckets.take(route.id() + " " + limit + " " + bounded(caller), limit);
    if (!verdict.allowed()) {
      ex.retryAfter = verdict.retryAfter();
      throw Reason.RATE_LIMITED.reject("the rate limit of this route is " + limit.requests() + " requests per "
          + dev.gatehouse.config.Quantities.format(limit.per()));
    }
  }

  /** Authentication failures a client causes by what it sends (not a missing credential, not a step-up). */
  static boolean countsAsFailedAuthentication(Reason reason) {
    return switch (reason) {
      case TOKEN_INVALID, TOKEN_EXPIRED, KEY_UNKNOWN, ISSUER_UNKNOWN, SESSION_INVALID -> true;
      default -> false;
    };
  }

  private static String addressKey(Exchange ex) {
    SocketAddress remote = ex.request.remoteAddress();
    return remote == null ? null : ClientAddress.key(remote.hostAddress());
  }

  /** {@code iss} and {@code sub} of the request's bearer token, unverified, or null when it has none that parses. */
  private static String claimedSubject(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null || authorization.length() < 8 || authorization.length() > 16 * 1024
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    try {
      JWTClaimsSet claims = JWTParser.parse(authorization.substring(7).trim()).getJWTClaimsSet();
      String sub = claims.getSubject();
      return sub == null ? null : bounded(claims.getIssuer() + " " + sub);
    } catch (java.text.ParseException | RuntimeException e) {
      return null;
    }
  }

  /** Keys are bounded in length, so a flood of huge claims cannot make the tables large. */
  private static String bounded(String key) {
    return key.length() <= 256 ? key : key.substring(0, 192) + "#" + Integer.toHexString(key.hashCode());
  }
}

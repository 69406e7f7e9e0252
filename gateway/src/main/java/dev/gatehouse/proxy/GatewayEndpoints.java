package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.KeyRingStore;
import dev.gatehouse.policy.PolicyCompiler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's own endpoints under {@code /.gatehouse/}, answered before routing so that no route can shadow them
 * (the policy compiler refuses routes under that prefix). Each is a path and a handler; an unknown path under the
 * prefix is a plain {@code 404 route-not-found}. Every answer ends the exchange, so it leaves one access event.
 */
final class GatewayEndpoints {

  /** Where apps fetch the keys that verify the gateway's assertions. Public: it holds public keys only. */
  static final String JWKS_PATH = PolicyCompiler.RESERVED_PREFIX + "jwks.json";

  static final String JWK_SET_TYPE = "application/jwk-set+json";

  /** Apps may cache the key set this long; a key is published at least this long before it signs (see README). */
  static final String JWKS_CACHE_CONTROL = "max-age=300";

  @FunctionalInterface
  interface Endpoint {
    void handle(Exchange ex);
  }

  private final Map<String, Endpoint> byPath;

  /** @param browser browser sign-in's callback, logout and signed-out pages; or null */
  GatewayEndpoints(KeyRingStore keys, SignInEndpoints browser) {
    java.util.Map<String, Endpoint> endpoints = new java.util.HashMap<>();
    endpoints.put(JWKS_PATH, ex -> jwks(ex, keys));
    if (browser != null) {
      endpoints.put(BrowserSignIn.CALLBACK_PATH, browser::callback);
      endpoints.put(BrowserSignIn.LOGOUT_PATH, browser::logout);
      endpoints.put(BrowserSignIn.SIGNED_OUT_PATH, browser::signedOut);
    }
    this.byPath = Map.copyOf(endpoints);
  }

  /** Whether the gateway answers this canonical path itself; the prefix is reserved in any letter case. */
  static boolean isReserved(String path) {
    String prefix = PolicyCompiler.RESERVED_PREFIX;
    return path.regionMatches(true, 0, prefix, 0, prefix.length())
        || path.toLowerCase(Locale.ROOT).equals(prefix.substring(0, prefix.length() - 1));
  }

  void handle(Exchange ex, String path) {
    Endpoint endpoint = byPath.get(path);
    if (endpoint == null) {
      throw Reason.ROUTE_NOT_FOUND.reject("no route for this host and path");
    }
    endpoint.handle(ex);
  }

  private static void jwks(Exchange ex, KeyRingStore keys) {
    HttpMethod method = ex.request.method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      throw Reason.METHOD_NOT_ALLOWED.reject("this endpoint takes only GET and HEAD requests");
    }
    String body = keys.jwks();
    ex.outcome(Reason.PUBLIC_ROUTE, "the gateway's public keys");
    ex.request.resume();
    ex.request.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, JWK_SET_TYPE)
        .putHeader(HeaderNames.CACHE_CONTROL, JWKS_CACHE_CONTROL)
        .end(body);
  }
}

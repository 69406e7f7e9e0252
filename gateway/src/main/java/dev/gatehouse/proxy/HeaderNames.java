package dev.gatehouse.proxy;

import io.vertx.core.http.HttpHeaders;

/** Header names the gateway writes, created once in Netty's optimized form. */
final class HeaderNames {

  static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("strict-transport-security");
  static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  static final CharSequence CLIENT_REQUEST_ID = HttpHeaders.createOptimized("x-client-request-id");
  static final CharSequence FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
  static final CharSequence FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
  static final CharSequence FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
  static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("www-authenticate");
  static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("cache-control");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  static final CharSequence HTTPS = HttpHeaders.createOptimized("https");
  static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  static final CharSequence TRACESTATE = HttpHeaders.createOptimized("tracestate");

  private HeaderNames() {}
}

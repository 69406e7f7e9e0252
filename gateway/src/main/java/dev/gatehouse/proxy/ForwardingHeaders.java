package dev.gatehouse.proxy;

import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.identity.AssertionSigner;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.identity.IdentityAttribute;
import dev.gatehouse.policy.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The only writer of the headers an app receives. First every client-supplied header an app might trust is
 * removed: identity and assertion headers (the configured names too), forwarding and trace headers, method overrides,
 * hop-by-hop headers, whatever the client nominated in {@code Connection}, and the gateway's cookies. Names are
 * compared after folding case and {@code _} to {@code -}, because some servers (CGI, nginx with underscores enabled,
 * PHP) treat {@code X_Forwarded_User} as {@code X-Forwarded-User}.
 * Then the gateway's own headers are added; they are added after the {@code Connection} header was consumed, so
 * nothing a client sends can remove them.
 */
final class ForwardingHeaders {

  /** Hop-by-hop headers (RFC 9110 section 7.6.1) plus the de-facto {@code proxy-connection}. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
      "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

  /** Headers that proxies and apps use to convey client address, original URL, method or identity. */
  private static final Set<String> SPOOFABLE = Set.of("forwarded", "x-real-ip", "x-original-url", "x-original-uri",
      "x-original-host", "x-rewrite-url", "x-client-ip", "true-client-ip", "x-cluster-client-ip", "cf-connecting-ip",
      "fastly-client-ip", "remote-user", "x-remote-user", "x-request-id", "x-client-request-id", "x-host",
      "x-http-method-override", "x-http-method", "x-method-override", "expect", "host");

  private static final List<String> SPOOFABLE_PREFIXES = List.of("x-forwarded-", "x-gatehouse-", "x-auth-request-",
      "x-pomerium-", "x-goog-authenticated-", "x-goog-iap-", "x-ms-client-principal", "cf-access-", "x-amzn-oidc-");

  /** Headers the gateway writes itself from the request's trace context. */
  private static final Set<String> TRACE_CONTEXT = Set.of("traceparent", "tracestate");

  private final Set<String> configuredNames;
  private final Map<IdentityAttribute, CharSequence> identityNames;
  private final CharSequence assertionName;

  /**
   * @param identityHeaders the configured names of the plain identity headers
   * @param assertionHeader the configured name of the assertion header
   */
  ForwardingHeaders(GatewayConfig.IdentityHeaders identityHeaders, String assertionHeader) {
    Set<String> names = new HashSet<>();
    Map<IdentityAttribute, CharSequence> byAttribute = new EnumMap<>(IdentityAttribute.class);
    for (IdentityAttribute a : IdentityAttribute.values()) {
      String name = identityHeaders.name(a);
      names.add(fold(name));
      byAttribute.put(a, HttpHeaders.createOptimized(name));
    }
    names.add(fold(assertionHeader));
    this.configuredNames = Set.copyOf(names);
    this.identityNames = Map.copyOf(byAttribute);
    this.assertionName = HttpHeaders.createOptimized(assertionHeader);
  }

  /** Folds a header name the way lenient servers do: lower case, '_' read as '-'. */
  static String fold(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static boolean isSpoofable(String folded) {
    if (SPOOFABLE.contains(folded)) {
      return true;
    }
    for (String prefix : SPOOFABLE_PREFIXES) {
      if (folded.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a client-supplied header of this (folded) name is removed: only the gateway may set it. */
  boolean isGatewayOwned(String folded) {
    return isSpoofable(folded) || configuredNames.contains(folded) || TRACE_CONTEXT.contains(folded);
  }

  /**
   * Rewrites the headers of a request about to be forwarded: strips, then adds the route's static headers, then the
   * gateway's own, so that neither a client nor a static header can replace what the gateway says.
   *
   * @param identity the verified caller, or null on a public route
   * @param assertion the signed identity assertion; null exactly when {@code identity} is null
   * @param keepUpgrade keep {@code Upgrade} for a WebSocket handshake (the tunnel sets {@code Connection} itself)
   */
  void prepareRequest(MultiMap headers, Exchange ex, Identity identity, String assertion, Route route,
      boolean keepUpgrade) {
    if ((identity == null) != (assertion == null)) {
      throw new IllegalArgumentException("an identity is forwarded with its assertion and only with it");
    }
    String clientRequestId = headers.get(HeaderNames.REQUEST_ID);
    Set<String> nominated = connectionTokens(headers);
    List<String> remove = new ArrayList<>();
    for (String name : headers.names()) {
      String folded = fold(name);
      if (folded.equals("upgrade") && keepUpgrade) {
        continue;
      }
      if (HOP_BY_HOP.contains(folded) || nominated.contains(folded) || isGatewayOwned(folded)
          || (folded.equals("authorization") && !route.options().passToken())) {
        remove.add(name);
      }
    }
    for (String name : remove) {
      headers.remove(name);
    }
    GatewayCookies.removeFromRequest(headers);
    for (Map.Entry<String, String> extra : route.options().extraHeaders().entrySet()) {
      headers.set(extra.getKey(), extra.getValue());
    }
    headers.set(HeaderNames.FORWARDED_FOR, ex.request.remoteAddress() == null ? "unknown" : ex.request.remoteAddress().hostAddress());
    headers.set(HeaderNames.FORWARDED_PROTO, HeaderNames.HTTPS);
    headers.set(HeaderNames.FORWARDED_HOST, ex.host);
    headers.set(HeaderNames.REQUEST_ID, ex.requestId);
    if (clientRequestId != null && clientRequestId.length() <= 128 && isVisibleAscii(clientRequestId)) {
      headers.set(HeaderNames.CLIENT_REQUEST_ID, clientRequestId);
    }
    headers.set(HeaderNames.TRACEPARENT, ex.trace.traceparent());
    if (ex.trace.tracestate() != null) {
      headers.set(HeaderNames.TRACESTATE, ex.trace.tracestate());
    }
    if (identity != null) {
      Set<IdentityAttribute> wanted = route.options().identityHeaders();
      if (wanted.contains(IdentityAttribute.USER)) {
        headers.set(identityNames.get(IdentityAttribute.USER), headerValue(identity.subject()));
      }
      String email = AssertionSigner.verifiedEmail(identity);
      if (email != null && wanted.contains(IdentityAttribute.EMAIL)) {
        headers.set(identityNames.get(IdentityAttribute.EMAIL), headerValue(email));
      }
      if (!identity.groups().isEmpty() && wanted.contains(IdentityAttribute.GROUPS)) {
        headers.set(identityNames.get(IdentityAttribute.GROUPS), headerValue(String.join(",", identity.groups().stream().sorted().toList())));
      }
      if (identity.tenant() != null && wanted.contains(IdentityAttribute.TENANT)) {
        headers.set(identityNames.get(IdentityAttribute.TENANT), headerValue(identity.tenant()));
      }
      headers.set(assertionName, assertion);
    }
  }

  /**
   * Removes hop-by-hop and nominated headers from an upstream response, headers the gateway sets itself, and
   * cookies an app tries to set under the gateway's cookie names.
   */
  static void prepareResponse(MultiMap headers) {
    Set<String> nominated = connectionTokens(headers);
    List<String> remove = new ArrayList<>();
    for (String name : headers.names()) {
      String folded = fold(name);
      if (HOP_BY_HOP.contains(folded) || nominated.contains(folded) || folded.equals("strict-transport-security")
          || folded.equals("x-request-id")) {
        remove.add(name);
      }
    }
    for (String name : remove) {
      headers.remove(name);
    }
    GatewayCookies.removeFromResponse(headers);
  }

  private static Set<String> connectionTokens(MultiMap headers) {
    List<String> values = headers.getAll("connection");
    if (values.isEmpty()) {
      return Set.of();
    }
    java.util.HashSet<String> tokens = new java.util.HashSet<>();
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = fold(token.trim());
        if (!t.isEmpty()) {
          tokens.add(t);
        }
      }
    }
    return tokens;
  }

  /**
   * Header values are ASCII; anything else (control characters, non-ASCII letters in a name or email) is
   * percent-encoded as UTF-8, so a claim can never inject a header line.
   */
  static String headerValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '%') {
        return encode(value);
      }
    }
    return value;
  }

  private static String encode(String value) {
    StringBuilder sb = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c < 0x20 || c >= 0x7f || c == '%') {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      } else {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static boolean isVisibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}

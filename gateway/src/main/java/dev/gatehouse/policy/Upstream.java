package dev.gatehouse.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Where a route's requests go: scheme, host and port of an app. The request path is forwarded unchanged. */
public record Upstream(boolean tls, String host, int port, String text) {

  /** @throws IllegalArgumentException with a message fit for a policy error */
  public static Upstream parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("'" + text + "' (expected: an http:// or https:// URL)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("'" + text + "' has no host");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("'" + text + "' must not contain user info, a query or a fragment");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new IllegalArgumentException("'" + text + "' has a path; the request path is forwarded unchanged, so "
          + "give only scheme, host and port");
    }
    boolean tls = scheme.equals("https");
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Upstream(tls, host, port, text);
  }

  /** The value for the Host header the upstream receives. */
  public String authority() {
    boolean defaultPort = port == (tls ? 443 : 80);
    String h = host.contains(":") ? "[" + host + "]" : host;
    return defaultPort ? h : h + ":" + port;
  }

  @Override
  public String toString() {
    return text;
  }
}

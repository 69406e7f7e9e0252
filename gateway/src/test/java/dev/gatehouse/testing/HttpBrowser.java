package dev.gatehouse.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A browser at the HTTP level: keeps cookies (the gateway's and the IdP's), sends what a browser sends for a page
 * navigation, and follows redirects only when asked, so tests can look at (and tamper with) every step of sign-in.
 * Cookies are kept by name only, which is enough for one gateway and one IdP on localhost.
 */
public final class HttpBrowser {

  /** One response. */
  public record Page(URI uri, int status, java.net.http.HttpHeaders headers, String body) {
    public String location() {
      return headers.firstValue("location").orElse(null);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public List<String> setCookies() {
      return headers.allValues("set-cookie");
    }

    /** The query parameters of the redirect target (decoded). */
    public Map<String, String> locationParams() {
      return params(URI.create(location()).getRawQuery());
    }

    public String requestId() {
      return header("x-request-id");
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .sslContext(RawHttps.trustingTestCa())
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private final Map<String, String> cookies = new LinkedHashMap<>();

  /** A page navigation: GET, accepting HTML, as a browser's address bar or link does. */
  public Page navigate(String url) {
    return get(url, Map.of("Accept", "text/html,application/xhtml+xml,*/*;q=0.8", "Sec-Fetch-Mode", "navigate"));
  }

  public Page get(String url, Map<String, String> headers) {
    return send("GET", url, headers, null);
  }

  public Page send(String method, String url, Map<String, String> headers, String form) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    headers.forEach(b::header);
    if (!cookies.isEmpty()) {
      b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded");
      b.method(method, HttpRequest.BodyPublishers.ofString(form));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      Page page = new Page(r.uri(), r.statusCode(), r.headers(), r.body());
      remember(page.setCookies());
      return page;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(method + " " + url + " failed", e);
    }
  }

  /** Follows the redirect of {@code page} as a navigation. */
  public Page follow(Page page) {
    if (page.location() == null) {
      throw new AssertionError("not a redirect: " + page.status() + " " + page.body());
    }
    return navigate(page.uri().resolve(page.location()).toString());
  }

  /** Follows redirects from {@code page} until a page that is not a redirect; records every URL on the way. */
  public Page followAll(Page page, List<URI> visited) {
    Page current = page;
    for (int i = 0; i < 10 && current.status() >= 300 && current.status() < 400; i++) {
      current = follow(current);
      visited.add(current.uri());
    }
    return current;
  }

  /** Navigates to {@code url} and follows the whole sign-in to the end. */
  public Page open(String url) {
    return followAll(navigate(url), new ArrayList<>());
  }

  private void remember(List<String> setCookies) {
    for (String header : setCookies) {
      String pair = header.split(";", 2)[0];
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq).trim();
      String value = pair.substring(eq + 1).trim();
      if (header.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty()) {
        cookies.remove(name);
      } else {
        cookies.put(name, value);
      }
    }
  }

  public String cookie(String name) {
    return cookies.get(name);
  }

  public void setCookie(String name, String value) {
    cookies.put(name, value);
  }

  public void removeCookie(String name) {
    cookies.remove(name);
  }

  public Map<String, String> cookies() {
    return Map.copyOf(cookies);
  }

  static Map<String, String> params(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      out.put(name, value);
    }
    return out;
  }
}

package dev.gatehouse.demo;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequestHandler;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * Who signed in on the demo provider's login page, by authorization code and then by refresh token, so that tokens
 * carry that demo user's claims. Wraps the provider's own request handling: a login with a name that is not a demo
 * user gets a page saying so instead of a code; the code in the redirect and the refresh token in the token response
 * are remembered. Bounded (old entries go first); the demo forgets everything when it stops.
 */
final class DemoLogins {

  /** A demo user's sign-in and when it happened (the tokens' {@code auth_time}, refreshes included). */
  record Login(DemoUsers.User user, Instant at) {}

  private static final int MAX_ENTRIES = 1000;

  private final Map<String, Login> byCode = bounded();
  private final Map<String, Login> byRefreshToken = bounded();

  private static Map<String, Login> bounded() {
    return java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Login> eldest) {
        return size() > MAX_ENTRIES;
      }
    });
  }

  Login ofCode(String code) {
    return byCode.get(code);
  }

  Login ofRefreshToken(String refreshToken) {
    return byRefreshToken.get(refreshToken);
  }

  /** The provider's routes, with the demo's bookkeeping around them. */
  Route around(OAuth2HttpRequestHandler provider) {
    Route routes = provider.getAuthorizationServer();
    return new Route() {
      @Override
      public boolean match(OAuth2HttpRequest request) {
        return routes.match(request);
      }

      @Override
      public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
        return handle(routes, request);
      }
    };
  }

  private OAuth2HttpResponse handle(Route routes, OAuth2HttpRequest request) {
    String path = request.getUrl().encodedPath();
    boolean login = request.getMethod().equals("POST") && path.endsWith("/authorize");
    Login signedIn = null;
    if (login) {
      String name = request.getFormParameters().get("username");
      DemoUsers.User user = name == null ? null : DemoUsers.find(name.trim()).orElse(null);
      if (user == null) {
        return notADemoUser(name);
      }
      signedIn = new Login(user, Instant.now());
    }
    String code = request.getMethod().equals("POST") && path.endsWith("/token")
        ? request.getFormParameters().get("code") : null;
    OAuth2HttpResponse response = routes.invoke(request);
    if (signedIn != null) {
      String location = response.getHeaders().get("Location");
      HttpUrl url = location == null ? null : HttpUrl.parse(location);
      String issued = url == null ? null : url.queryParameter("code");
      if (issued != null) {
        byCode.put(issued, signedIn);
      }
    }
    if (path.endsWith("/token") && response.getStatus() == 200 && response.getBody() != null) {
      rememberRefreshToken(request, code, response.getBody());
    }
    return response;
  }

  /** A new refresh token belongs to whoever the code or the previous refresh token belonged to. */
  private void rememberRefreshToken(OAuth2HttpRequest request, String code, String body) {
    String refreshToken = new JsonObject(body).getString("refresh_token");
    if (refreshToken == null) {
      return;
    }
    String previous = request.getFormParameters().get("refresh_token");
    Login who = code != null ? byCode.remove(code) : previous != null ? byRefreshToken.get(previous) : null;
    if (who != null) {
      byRefreshToken.put(refreshToken, who);
    }
  }

  private static OAuth2HttpResponse notADemoUser(String name) {
    String shown = name == null ? "" : name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
    String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not a demo user</title></head>"
        + "<body><h1>Not a demo user</h1><p>'" + shown + "' is not a demo user. Demo users: "
        + String.join(", ", DemoUsers.names()) + ".</p><p>Go back and try again.</p></body></html>";
    return new OAuth2HttpResponse(Headers.of("Content-Type", "text/html;charset=UTF-8"), 400, html, null);
  }
}

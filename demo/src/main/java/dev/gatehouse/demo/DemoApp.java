package dev.gatehouse.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The application behind the gateway in the demo (plain HTTP on 127.0.0.1:8081, the upstream policies/*.yaml route
 * to). It answers every request with what it received, so one can see what the gateway forwards: a small page for
 * browsers, JSON for everything else.
 */
final class DemoApp {

  static final String HOST = "127.0.0.1";
  static final int PORT = 8081;

  private DemoApp() {}

  static Future<HttpServer> start(Vertx vertx) {
    return vertx.createHttpServer(new HttpServerOptions().setHost(HOST).setPort(PORT))
        .requestHandler(DemoApp::answer)
        .listen();
  }

  private static void answer(HttpServerRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    if (accept != null && accept.contains("text/html")) {
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(html(request));
    } else {
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json(request).encodePrettily());
    }
  }

  private static JsonObject json(HttpServerRequest request) {
    JsonObject headers = new JsonObject();
    for (String name : request.headers().names()) {
      headers.put(name, String.join(", ", request.headers().getAll(name)));
    }
    String groups = request.getHeader("X-Forwarded-Groups");
    JsonObject identity = new JsonObject()
        .put("user", request.getHeader("X-Forwarded-User"))
        .put("email", request.getHeader("X-Forwarded-Email"))
        .put("groups", groups == null ? new JsonArray() : new JsonArray(Arrays.asList(groups.split(","))))
        .put("tenant", request.getHeader("X-Forwarded-Tenant"));
    return new JsonObject()
        .put("method", request.method().name())
        .put("path", request.path())
        .put("identity", identity)
        .put("headers", headers);
  }

  private static String html(HttpServerRequest request) {
    String user = request.getHeader("X-Forwarded-User");
    StringBuilder page = new StringBuilder("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        + "<title>Gatehouse demo app</title></head>\n<body>\n<h1>Hello " + escape(user == null ? "stranger" : user)
        + "</h1>\n<p>This is what the demo app received through the gateway:</p>\n<dl>\n");
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("user", user);
    rows.put("email", request.getHeader("X-Forwarded-Email"));
    rows.put("groups", request.getHeader("X-Forwarded-Groups"));
    rows.put("tenant", request.getHeader("X-Forwarded-Tenant"));
    rows.put("method", request.method().name());
    rows.put("path", request.path());
    for (Map.Entry<String, String> row : rows.entrySet()) {
      page.append("<dt>").append(row.getKey()).append("</dt><dd>")
          .append(row.getValue() == null ? "&mdash;" : escape(row.getValue())).append("</dd>\n");
    }
    page.append("</dl>\n");
    if (user != null) {
      // the gateway answers this path itself: it ends the session and signs out at the demo IdP
      page.append("<p><a href=\"/.gatehouse/logout\">Sign out</a></p>\n");
    }
    return page.append("</body>\n</html>\n").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}

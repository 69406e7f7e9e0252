package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The few pages the gateway shows a person in a browser (access denied, sign-in failed, signed out): small,
 * self-contained, every dynamic value HTML-escaped, never cached, and under a Content-Security-Policy that allows
 * nothing but the page's own inline style (by hash): no script, no frame, and a form only to the gateway itself on the
 * one page that has a button.
 */
final class HtmlPages {

  private static final String STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;"
      + "padding:0 1em;color:#222}h1{font-size:1.5em}code{background:#f3f3f3;padding:0 .2em}"
      + "p.meta{color:#666;font-size:.9em}";

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'sha256-" + sha256(STYLE)
      + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String CONTENT_SECURITY_POLICY_WITH_FORM =
      CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'");

  /** A paragraph of text, of text and one same-origin link, or of text and a button that POSTs to a same-origin path. */
  record Line(String text, String linkText, String href, boolean post) {
    static Line text(String text) {
      return new Line(text, null, null, false);
    }

    static Line link(String text, String linkText, String href) {
      return new Line(text, linkText, href, false);
    }

    static Line button(String text, String buttonText, String action) {
      return new Line(text, buttonText, action, true);
    }
  }

  private HtmlPages() {}

  /** Ends the exchange with a page; {@code reason} and {@code detail} are what the access event records. */
  static void send(Exchange ex, int status, Reason reason, String detail, String title, Line... lines) {
    ex.outcome(reason, detail);
    HttpServerResponse response = ex.request.response();
    if (response.headWritten() || ex.isFinished()) {
      response.reset();
      return;
    }
    StringBuilder html = new StringBuilder(1024)
        .append("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>").append(escape(title)).append("</title><style>").append(STYLE).append("</style></head>\n")
        .append("<body>\n<h1>").append(escape(title)).append("</h1>\n");
    boolean form = false;
    for (Line line : lines) {
      if (line.post()) {
        form = true;
        html.append("<form method=\"post\" action=\"").append(escape(line.href())).append("\"><p>")
            .append(escape(line.text())).append(" <button type=\"submit\">").append(escape(line.linkText()))
            .append("</button></p></form>\n");
        continue;
      }
      html.append("<p>").append(escape(line.text()));
      if (line.href() != null) {
        html.append(" <a href=\"").append(escape(line.href())).append("\">").append(escape(line.linkText()))
            .append("</a>");
      }
      html.append("</p>\n");
    }
    html.append("<p class=\"meta\">Request id <code>").append(escape(ex.requestId)).append("</code></p>\n")
        .append("</body>\n</html>\n");
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HeaderNames.CACHE_CONTROL, HeaderNames.NO_STORE)
        .putHeader("Content-Security-Policy", form ? CONTENT_SECURITY_POLICY_WITH_FORM : CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    if (!ex.request.isEnded()) {
      ex.request.resume();
    }
    response.end(html.toString());
  }

  /** Escapes text for HTML element content and double-quoted attribute values. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
      }
    }
    return sb.toString();
  }

  private static String sha256(String text) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

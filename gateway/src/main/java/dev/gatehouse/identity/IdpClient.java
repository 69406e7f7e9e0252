package dev.gatehouse.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Non-blocking HTTPS calls to one identity provider, with its own trust anchors. Responses are bounded in size and
 * time, because even a trusted IdP can be broken.
 */
public final class IdpClient {

  static final int MAX_RESPONSE_BYTES = 1 << 20;

  private final WebClient client;
  private final long timeoutMillis;

  public IdpClient(Vertx vertx, Path trustedCertificates, Duration timeout) {
    WebClientOptions options = new WebClientOptions()
        .setVerifyHost(true)
        .setUserAgent("gatehouse")
        .setFollowRedirects(false)
        .setConnectTimeout((int) timeout.toMillis());
    if (trustedCertificates != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustedCertificates.toString()));
    }
    this.client = WebClient.create(vertx, options);
    this.timeoutMillis = timeout.toMillis();
  }

  /** GETs a JSON object; fails with a message naming the URL on any non-200, oversized or non-JSON answer. */
  public Future<JsonObject> getJson(URI url) {
    return client.getAbs(url.toString())
        .timeout(timeoutMillis)
        .putHeader("Accept", "application/json")
        .send()
        .compose(response -> json(url, response));
  }

  /** POSTs a form and returns the JSON answer with its status (token endpoints answer errors as JSON). */
  public Future<HttpResponse<io.vertx.core.buffer.Buffer>> postForm(URI url, io.vertx.core.MultiMap form) {
    return postForm(url, form, null);
  }

  /** As {@link #postForm(URI, io.vertx.core.MultiMap)}, with an {@code Authorization} header unless it is null. */
  public Future<HttpResponse<io.vertx.core.buffer.Buffer>> postForm(URI url, io.vertx.core.MultiMap form,
      String authorization) {
    var request = client.postAbs(url.toString())
        .timeout(timeoutMillis)
        .putHeader("Accept", "application/json");
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendForm(form);
  }

  private static Future<JsonObject> json(URI url, HttpResponse<io.vertx.core.buffer.Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture(url + " answered HTTP " + response.statusCode());
    }
    io.vertx.core.buffer.Buffer body = response.body();
    if (body == null || body.length() > MAX_RESPONSE_BYTES) {
      return Future.failedFuture(url + " sent " + (body == null ? "no body" : "more than " + MAX_RESPONSE_BYTES + " bytes"));
    }
    try {
      return Future.succeededFuture(body.toJsonObject());
    } catch (RuntimeException e) {
      return Future.failedFuture(url + " did not send a JSON object");
    }
  }

  public void close() {
    client.close();
  }
}

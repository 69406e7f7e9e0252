package dev.gatehouse.demo;

import dev.gatehouse.tls.Pem;
import dev.gatehouse.tls.TlsException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Gets access tokens for demo users from the running demo IdP's token endpoint, over HTTPS trusting only the
 * development CA, with the OAuth 2.0 password grant (RFC 6749 §4.3), the one grant that names a user without a browser.
 */
final class DemoTokenClient {

  /** The demo IdP did not answer. */
  static final class NotRunningException extends Exception {
    NotRunningException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The demo IdP answered without a token; the message is its reason. */
  static final class RefusedException extends Exception {
    RefusedException(String message) {
      super(message);
    }
  }

  static final String CLIENT_ID = "gatehouse-demo";

  private final HttpClient client;

  private DemoTokenClient(HttpClient client) {
    this.client = client;
  }

  /** A client trusting the CA certificate(s) in {@code caCertificate}. */
  static DemoTokenClient trusting(Path caCertificate) throws NotRunningException {
    if (!Files.isReadable(caCertificate)) {
      throw new NotRunningException("no development CA at " + caCertificate, null);
    }
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (X509Certificate certificate : Pem.readCertificates(caCertificate)) {
        trusted.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return new DemoTokenClient(HttpClient.newBuilder()
          .sslContext(tls)
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build());
    } catch (TlsException | GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot read the development CA " + caCertificate + ": " + e.getMessage(), e);
    }
  }

  /** A fresh access token for {@code user}. */
  String accessToken(String user) throws NotRunningException, RefusedException, IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "password");
    form.put("username", user);
    // the demo IdP accepts any password; it only checks that the user is a demo user
    form.put("password", "demo");
    form.put("client_id", CLIENT_ID);
    HttpRequest request = HttpRequest.newBuilder(URI.create(DemoIdentityProvider.TOKEN_ENDPOINT))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
        .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new NotRunningException("cannot connect to " + DemoIdentityProvider.TOKEN_ENDPOINT, e);
    }
    JsonObject body;
    try {
      body = new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new RefusedException("HTTP " + response.statusCode() + " from " + DemoIdentityProvider.TOKEN_ENDPOINT);
    }
    String token = body.getString("access_token");
    if (response.statusCode() != 200 || token == null) {
      String reason = body.getString("error_description", body.getString("error", "no access token"));
      throw new RefusedException(reason);
    }
    return token;
  }

  private static String formEncode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}

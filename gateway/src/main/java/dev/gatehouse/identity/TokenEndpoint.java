package dev.gatehouse.identity;

import dev.gatehouse.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * The provider's token endpoint, called with the non-blocking web client: exchanges an authorization code (with its
 * PKCE verifier) and refreshes tokens. A confidential client authenticates with {@code client_secret_basic}; a public
 * client sends only its {@code client_id}.
 */
public final class TokenEndpoint {

  /** What the token endpoint answered. {@code idToken} and {@code refreshToken} may be null on a refresh. */
  public record Tokens(String idToken, String refreshToken, Duration expiresIn) {
    @Override
    public String toString() {
      return "Tokens[expiresIn=" + expiresIn + "]";
    }
  }

  /**
   * The provider answered, and refused ({@code invalid_grant} and friends): the code or refresh token is no good. Any
   * other failure (unreachable, 5xx, garbage) is a plain exception: the provider may work again later.
   */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final IdpClient client;
  private final TrustedIssuer issuer;
  private final String clientId;
  private final String authorization;

  public TokenEndpoint(IdpClient client, TrustedIssuer issuer, String clientId, Secret clientSecret) {
    this.client = Objects.requireNonNull(client, "client");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    // RFC 6749 section 2.3.1: both parts form-urlencoded before Basic encoding
    this.authorization = clientSecret == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (formEncode(clientId) + ":" + formEncode(clientSecret.reveal())).getBytes(StandardCharsets.UTF_8));
  }

  public Future<Tokens> exchangeCode(String code, String codeVerifier, URI redirectUri) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "authorization_code")
        .add("code", code)
        .add("redirect_uri", redirectUri.toString())
        .add("code_verifier", codeVerifier);
    return post(form);
  }

  public Future<Tokens> refresh(String refreshToken) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "refresh_token")
        .add("refresh_token", refreshToken);
    return post(form);
  }

  private Future<Tokens> post(MultiMap form) {
    OidcMetadata meta = issuer.metadata();
    if (meta == null || meta.tokenEndpoint() == null) {
      return Future.failedFuture(new IllegalStateException("the provider's token endpoint is not known (discovery "
          + "has not succeeded)"));
    }
    if (authorization == null) {
      form.add("client_id", clientId);
    }
    URI url = meta.tokenEndpoint();
    return client.postForm(url, form, authorization).compose(response -> tokens(url, response));
  }

  private static Future<Tokens> tokens(URI url, HttpResponse<Buffer> response) {
    Buffer body = response.body();
    if (body != null && body.length() > IdpClient.MAX_RESPONSE_BYTES) {
      return Future.failedFuture(new IllegalStateException(url + " sent more than " + IdpClient.MAX_RESPONSE_BYTES
          + " bytes"));
    }
    JsonObject json;
    try {
      json = body == null ? null : body.toJsonObject();
    } catch (RuntimeException e) {
      json = null;
    }
    int status = response.statusCode();
    if ((status == 400 || status == 401) && json != null && json.getValue("error") instanceof String error) {
      // RFC 6749 section 5.2; the description is the provider's and is only logged
      return Future.failedFuture(new Refused("the provider refused: " + error));
    }
    if (status != 200 || json == null) {
      return Future.failedFuture(new IllegalStateException(url + " answered HTTP " + status));
    }
    Object idToken = json.getValue("id_token");
    Object refreshToken = json.getValue("refresh_token");
    Object expiresIn = json.getValue("expires_in");
    if ((idToken != null && !(idToken instanceof String)) || (refreshToken != null && !(refreshToken instanceof String))) {
      return Future.failedFuture(new IllegalStateException(url + " sent a malformed token response"));
    }
    Duration lifetime = expiresIn instanceof Number n && n.longValue() > 0 ? Duration.ofSeconds(n.longValue()) : null;
    return Future.succeededFuture(new Tokens((String) idToken, (String) refreshToken, lifetime));
  }

  private static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}

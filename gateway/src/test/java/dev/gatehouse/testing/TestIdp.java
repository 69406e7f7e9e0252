package dev.gatehouse.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Set;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.http.SslKeystore;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OIDC provider for tests (NAV's mock-oauth2-server) over real TLS with the test PKI: discovery, JWKS,
 * authorization and token endpoints, and tokens signed with its own RSA keys.
 */
public final class TestIdp implements AutoCloseable {

  public static final String AUDIENCE = "gatehouse";

  private final MockOAuth2Server server;
  private final KeyProvider keys;
  private final String issuerId;

  private TestIdp(MockOAuth2Server server, KeyProvider keys, String issuerId) {
    this.server = server;
    this.keys = keys;
    this.issuerId = issuerId;
  }

  public static TestIdp start() {
    return start("test");
  }

  public static TestIdp start(String issuerId) {
    return start(issuerId, null);
  }

  /** An IdP whose tokens' times ({@code iat}, {@code exp}) follow {@code clock}, e.g. a test's {@link MutableClock}. */
  public static TestIdp start(String issuerId, java.time.InstantSource clock) {
    char[] password = "changeit".toCharArray();
    Ssl ssl = new Ssl(new SslKeystore("changeit", TestPki.serverKeyStore(password)));
    KeyProvider keys = new KeyProvider();
    OAuth2TokenProvider tokens = clock == null ? new OAuth2TokenProvider(keys)
        : new OAuth2TokenProvider(keys, clock::instant);
    OAuth2Config config = new OAuth2Config(false, null, null, false, tokens, Set.of(), new NettyWrapper(ssl));
    MockOAuth2Server server = new MockOAuth2Server(config);
    server.start(0);
    return new TestIdp(server, keys, issuerId);
  }

  public String issuer() {
    return server.issuerUrl(issuerId).toString().replaceAll("/$", "");
  }

  public MockOAuth2Server server() {
    return server;
  }

  public String issuerId() {
    return issuerId;
  }

  /** A token for {@code subject} with audience {@value #AUDIENCE}, valid for an hour, with extra claims. */
  public String token(String subject, Map<String, Object> claims) {
    return token(subject, List.of(AUDIENCE), claims, 3600);
  }

  public String token(String subject, List<String> audience, Map<String, Object> claims, long expirySeconds) {
    return server.issueToken(issuerId, "test-client",
        new DefaultOAuth2TokenCallback(issuerId, subject, JOSEObjectType.JWT.getType(), audience, claims, expirySeconds))
        .serialize();
  }

  /**
   * The user the next token request to this issuer is answered for (sign-in, or a refresh to change what the provider
   * says about the user): ID and access tokens for {@code subject} with exactly {@code claims} added (which may
   * replace {@code aud} or {@code azp} to test their checks), valid for {@code expirySeconds}.
   */
  public void nextUser(String subject, Map<String, Object> claims, long expirySeconds) {
    server.enqueueCallback(new UserCallback(issuerId, subject, claims, expirySeconds));
  }

  public void nextUser(String subject, Map<String, Object> claims) {
    nextUser(subject, claims, 3600);
  }

  /** The next token request to this issuer (a code exchange or a refresh) is refused with {@code invalid_grant}. */
  public void refuseNextTokenRequest() {
    server.enqueueCallback(new RefusingCallback(issuerId));
  }

  private record RefusingCallback(String issuerId) implements no.nav.security.mock.oauth2.token.OAuth2TokenCallback {
    private static RuntimeException refused() {
      return new no.nav.security.mock.oauth2.OAuth2Exception(com.nimbusds.oauth2.sdk.OAuth2Error.INVALID_GRANT,
          "refused by the test");
    }

    public String subject(com.nimbusds.oauth2.sdk.TokenRequest request) {
      throw refused();
    }

    public String typeHeader(com.nimbusds.oauth2.sdk.TokenRequest request) {
      throw refused();
    }

    public List<String> audience(com.nimbusds.oauth2.sdk.TokenRequest request) {
      throw refused();
    }

    public Map<String, Object> addClaims(com.nimbusds.oauth2.sdk.TokenRequest request) {
      throw refused();
    }

    public long tokenExpiry() {
      throw refused();
    }
  }

  /** Ends a refresh token at the provider (RFC 7009 revocation): refreshing with it is refused from now on. */
  public void revokeRefreshToken(String refreshToken) {
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(RawHttps.trustingTestCa()).build();
      String form = "token_type_hint=refresh_token&token=" + java.net.URLEncoder.encode(refreshToken,
          java.nio.charset.StandardCharsets.UTF_8);
      java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(issuer() + "/revoke"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("revocation answered " + r.statusCode() + ": " + r.body());
      }
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token callback that adds exactly the given claims (the provider adds iss, sub, aud, iat, nbf, exp, nonce). */
  private record UserCallback(String issuerId, String subject, Map<String, Object> claims, long expirySeconds)
      implements no.nav.security.mock.oauth2.token.OAuth2TokenCallback {
    public String subject(com.nimbusds.oauth2.sdk.TokenRequest request) {
      return subject;
    }

    public String typeHeader(com.nimbusds.oauth2.sdk.TokenRequest request) {
      return JOSEObjectType.JWT.getType();
    }

    public List<String> audience(com.nimbusds.oauth2.sdk.TokenRequest request) {
      return List.of(AUDIENCE);
    }

    public Map<String, Object> addClaims(com.nimbusds.oauth2.sdk.TokenRequest request) {
      return claims;
    }

    public long tokenExpiry() {
      return expirySeconds;
    }
  }

  /** The IdP's signing key, private part included, so tests can craft tokens the IdP would never issue. */
  public RSAKey signingKey() {
    return (RSAKey) keys.signingKey(issuerId);
  }

  public RSAKey publicKey() {
    return signingKey().toPublicJWK();
  }

  /** Signs arbitrary claims with the IdP's real key under {@code header}. */
  public String sign(JWSHeader header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(new RSASSASigner(signingKey()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Standard valid claims for {@code subject}: this issuer, our audience, an hour of validity. */
  public JWTClaimsSet.Builder claims(String subject) {
    java.util.Date now = new java.util.Date();
    return new JWTClaimsSet.Builder()
        .issuer(issuer())
        .subject(subject)
        .audience(AUDIENCE)
        .issueTime(now)
        .expirationTime(new java.util.Date(now.getTime() + 3_600_000));
  }

  /** A header naming the IdP's key, as its own tokens do. */
  public JWSHeader.Builder header() {
    return new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey().getKeyID()).type(JOSEObjectType.JWT);
  }

  @Override
  public void close() {
    server.shutdown();
  }
}

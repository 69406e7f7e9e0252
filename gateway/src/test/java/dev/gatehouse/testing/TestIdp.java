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
    char[] password = "changeit".toCharArray();
    Ssl ssl = new Ssl(new SslKeystore("changeit", TestPki.serverKeyStore(password)));
    KeyProvider keys = new KeyProvider();
    OAuth2Config config = new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(keys), Set.of(),
        new NettyWrapper(ssl));
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

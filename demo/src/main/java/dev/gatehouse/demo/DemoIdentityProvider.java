package dev.gatehouse.demo;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ResourceOwnerPasswordCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import dev.gatehouse.tls.DevCertificates;
import dev.gatehouse.tls.Pem;
import dev.gatehouse.tls.TlsException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.OAuth2Exception;
import no.nav.security.mock.oauth2.http.NettyWrapper;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.http.SslKeystore;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * The demo's OIDC provider: NAV's mock-oauth2-server over TLS with the development server certificate, on
 * https://localhost:8444/demo. It issues tokens to the demo users only, through the password grant.
 */
final class DemoIdentityProvider implements AutoCloseable {

  static final String ISSUER_ID = "demo";
  static final int PORT = 8444;
  static final String ISSUER = "https://localhost:" + PORT + "/" + ISSUER_ID;
  static final String TOKEN_ENDPOINT = ISSUER + "/token";
  static final String AUDIENCE = "gatehouse";
  static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

  private final MockOAuth2Server server;

  private DemoIdentityProvider(MockOAuth2Server server) {
    this.server = server;
  }

  /** Starts on 127.0.0.1:{@value #PORT}; fails if the port is taken. */
  static DemoIdentityProvider start(DevCertificates.Issued certificate) throws TlsException, GeneralSecurityException,
      UnknownHostException {
    char[] password = "demo".toCharArray();
    Ssl ssl = new Ssl(new SslKeystore(new String(password), keyStore(certificate, password)));
    // interactiveLogin: its sign-in page asks for a user name (the browser sign-in will use it)
    OAuth2Config config = new OAuth2Config(true, null, null, false, new OAuth2TokenProvider(new KeyProvider()),
        Set.of(new DemoUserTokens()), new NettyWrapper(ssl));
    MockOAuth2Server server = new MockOAuth2Server(config);
    try {
      // named "localhost" so that the server's own URLs say localhost, as the certificate does
      server.start(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), PORT);
    } catch (Exception e) { // also Netty's undeclared BindException
      server.shutdown();
      throw e;
    }
    return new DemoIdentityProvider(server);
  }

  private static KeyStore keyStore(DevCertificates.Issued certificate, char[] password)
      throws TlsException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, password);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    store.setKeyEntry("server", Pem.readPrivateKey(certificate.key()), password,
        Pem.readCertificates(certificate.certificate()).toArray(new Certificate[0]));
    return store;
  }

  @Override
  public void close() {
    server.shutdown();
  }

  /**
   * Maps the password grant's user name to that demo user's claims. Any other user name, and any other grant, gets an
   * OAuth error instead of a token: mock-oauth2-server would otherwise issue tokens with made-up claims to anyone.
   */
  private static final class DemoUserTokens implements OAuth2TokenCallback {

    @Override
    public String issuerId() {
      return ISSUER_ID;
    }

    @Override
    public String subject(TokenRequest request) {
      return user(request).name();
    }

    @Override
    public String typeHeader(TokenRequest request) {
      return JOSEObjectType.JWT.getType();
    }

    @Override
    public List<String> audience(TokenRequest request) {
      user(request);
      return List.of(AUDIENCE);
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest request) {
      return user(request).claims(Instant.now());
    }

    @Override
    public long tokenExpiry() {
      return TOKEN_LIFETIME.toSeconds();
    }

    private static DemoUsers.User user(TokenRequest request) {
      String name = request.getAuthorizationGrant() instanceof ResourceOwnerPasswordCredentialsGrant grant
          ? grant.getUsername() : null;
      return DemoUsers.find(name).orElseThrow(() -> {
        String message = name == null
            ? "the demo issues tokens through the password grant only"
            : "'" + name + "' is not a demo user (demo users: " + String.join(", ", DemoUsers.names()) + ")";
        return new OAuth2Exception(OAuth2Error.INVALID_GRANT.setDescription(message), message);
      });
    }
  }
}

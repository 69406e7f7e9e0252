package dev.gatehouse.demo;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
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
import no.nav.security.mock.oauth2.http.OAuth2HttpRequestHandler;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.http.SslKeystore;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * The demo's OIDC provider: NAV's mock-oauth2-server over TLS with the development server certificate, on
 * https://localhost:8444/demo. It issues tokens to the demo users only: through the password grant (for
 * {@code gatehouse dev token}), and through the authorization code flow after its login page (for browser sign-in),
 * with refresh.
 *
 * <p>mock-oauth2-server hands a token callback the token request only, and for the authorization code grant that
 * names the code, not the user who typed their name into the login page. So the demo routes every request through
 * {@link DemoLogins}, which remembers which demo user each code (and then each refresh token) belongs to.
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
    DemoLogins logins = new DemoLogins();
    // interactiveLogin: its sign-in page (ours: it lists the demo users) asks for a user name
    OAuth2Config config = new OAuth2Config(true, loginPage().toString(), null, false,
        new OAuth2TokenProvider(new KeyProvider()), Set.of(new DemoUserTokens(logins)), new NettyWrapper(ssl));
    MockOAuth2Server server = new MockOAuth2Server(config, logins.around(new OAuth2HttpRequestHandler(config)));
    try {
      // named "localhost" so that the server's own URLs say localhost, as the certificate does
      server.start(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), PORT);
    } catch (Exception e) { // also Netty's undeclared BindException
      server.shutdown();
      throw e;
    }
    return new DemoIdentityProvider(server);
  }

  /** The sign-in page the provider shows browsers, written to a temporary file (mock-oauth2-server reads a path). */
  private static java.nio.file.Path loginPage() throws GeneralSecurityException {
    StringBuilder users = new StringBuilder();
    for (DemoUsers.User u : DemoUsers.ALL) {
      users.append("<tr><td><code>").append(u.name()).append("</code></td><td>")
          .append(u.groups().isEmpty() ? "&mdash;" : String.join(", ", u.groups())).append("</td><td>")
          .append(u.tenant()).append("</td><td>").append(u.amr().size() > 1 ? "yes (" + u.amr().get(1) + ")" : "no")
          .append("</td></tr>\n");
    }
    String html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Demo identity provider: sign in</title>
        <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}
        td,th{padding:.2em 1em .2em 0;text-align:left}</style></head>
        <body>
        <h1>Sign in to the Gatehouse demo</h1>
        <p>This is the demo identity provider. It knows these users and asks for no password:</p>
        <table><tr><th>user</th><th>groups</th><th>tenant</th><th>MFA</th></tr>
        %s</table>
        <form method="post">
          <p><label>User name <input type="text" name="username" required autofocus></label>
          <input type="submit" value="Sign in"></p>
        </form>
        </body></html>
        """.formatted(users);
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("gatehouse-demo-login", ".html");
      file.toFile().deleteOnExit();
      java.nio.file.Files.writeString(file, html);
      return file;
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot write the demo login page", e);
    }
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
   * Gives each demo user their claims: the user named by the password grant, or the one who signed in on the login
   * page for the authorization code (and its refresh tokens). Anyone else, and any other grant, gets an OAuth error
   * instead of a token: mock-oauth2-server would otherwise issue tokens with made-up claims to anyone.
   */
  private static final class DemoUserTokens implements OAuth2TokenCallback {

    private final DemoLogins logins;

    DemoUserTokens(DemoLogins logins) {
      this.logins = logins;
    }

    @Override
    public String issuerId() {
      return ISSUER_ID;
    }

    @Override
    public String subject(TokenRequest request) {
      return login(request).user().name();
    }

    @Override
    public String typeHeader(TokenRequest request) {
      return JOSEObjectType.JWT.getType();
    }

    @Override
    public List<String> audience(TokenRequest request) {
      login(request);
      return List.of(AUDIENCE);
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest request) {
      DemoLogins.Login login = login(request);
      return login.user().claims(login.at());
    }

    @Override
    public long tokenExpiry() {
      return TOKEN_LIFETIME.toSeconds();
    }

    private DemoLogins.Login login(TokenRequest request) {
      String name = null;
      DemoLogins.Login login = null;
      if (request.getAuthorizationGrant() instanceof ResourceOwnerPasswordCredentialsGrant grant) {
        name = grant.getUsername();
        login = DemoUsers.find(name).map(u -> new DemoLogins.Login(u, Instant.now())).orElse(null);
      } else if (request.getAuthorizationGrant() instanceof AuthorizationCodeGrant grant) {
        login = logins.ofCode(grant.getAuthorizationCode().getValue());
      } else if (request.getAuthorizationGrant() instanceof RefreshTokenGrant grant) {
        login = logins.ofRefreshToken(grant.getRefreshToken().getValue());
      }
      if (login != null) {
        return login;
      }
      String message = name != null
          ? "'" + name + "' is not a demo user (demo users: " + String.join(", ", DemoUsers.names()) + ")"
          : "the demo issues tokens to demo users only: through the password grant, or after its login page";
      throw new OAuth2Exception(OAuth2Error.INVALID_GRANT.setDescription(message), message);
    }
  }
}

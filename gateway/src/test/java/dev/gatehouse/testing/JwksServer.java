package dev.gatehouse.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal OIDC issuer whose behaviour tests control: it serves discovery and a JWKS over TLS, counts JWKS fetches,
 * can rotate keys, go down (answer 503) or hang. For failure tests that a full provider cannot stage.
 */
public final class JwksServer implements AutoCloseable {

  public enum Mode { UP, ERROR, HANG }

  private final HttpServer server;
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final List<RSAKey> published = new ArrayList<>();
  private volatile Mode mode = Mode.UP;

  private JwksServer(Vertx vertx) {
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(TestPki.server().certificate().toString())
            .setKeyPath(TestPki.server().key().toString())))
        .requestHandler(request -> {
          if (mode == Mode.HANG) {
            return;
          }
          if (mode == Mode.ERROR) {
            request.response().setStatusCode(503).end();
            return;
          }
          if (request.path().endsWith("/.well-known/openid-configuration")) {
            request.response().putHeader("content-type", "application/json").end(new JsonObject()
                .put("issuer", issuer()).put("jwks_uri", issuer() + "/jwks").encode());
          } else if (request.path().endsWith("/jwks")) {
            jwksFetches.incrementAndGet();
            List<com.nimbusds.jose.jwk.JWK> keys;
            synchronized (published) {
              keys = new ArrayList<>(published);
            }
            request.response().putHeader("content-type", "application/json").end(new JWKSet(keys).toPublicJWKSet().toString());
          } else {
            request.response().setStatusCode(404).end();
          }
        });
    rotate();
  }

  public static JwksServer start(Vertx vertx) {
    JwksServer s = new JwksServer(vertx);
    s.server.listen().await();
    return s;
  }

  public String issuer() {
    return "https://localhost:" + server.actualPort() + "/issuer";
  }

  public int jwksFetches() {
    return jwksFetches.get();
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  /** Publishes a new key (keeping the old ones) and signs with it from now on. */
  public RSAKey rotate() {
    try {
      RSAKey key = new RSAKeyGenerator(2048).keyID("key-" + (published.size() + 1)).generate();
      synchronized (published) {
        published.add(key);
      }
      return key;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public RSAKey currentKey() {
    synchronized (published) {
      return published.get(published.size() - 1);
    }
  }

  /** A token for {@code subject} signed with {@code key} (published or not), with extra claims. */
  public String token(RSAKey key, String subject, java.util.Map<String, Object> claims) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer()).subject(subject).audience(TestIdp.AUDIENCE)
        .expirationTime(new Date(System.currentTimeMillis() + 3_600_000));
    claims.forEach(b::claim);
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), b.build());
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close().await();
  }
}

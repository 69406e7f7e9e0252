package dev.gatehouse.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.IdpClient;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.identity.TokenCache;
import dev.gatehouse.identity.TokenVerifier;
import dev.gatehouse.identity.TrustedIssuer;
import dev.gatehouse.tls.DevCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bearer token verification through the gateway's verifier: cold (every token new, so its RS256 signature and claims
 * are checked) and cached (a token seen before costs a SHA-256 of the token and a cache lookup). The issuer's keys
 * come from a local HTTPS JWKS endpoint, fetched once at set-up as in production.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenBenchmark {

  static final String ISSUER_PATH = "/issuer";

  Vertx vertx;
  HttpServer idp;
  TokenVerifier cold;
  TokenVerifier cached;
  String[] tokens;
  int next;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    Path pki = Files.createTempDirectory("gatehouse-bench-pki");
    DevCertificates certificates = DevCertificates.in(pki, 2048);
    certificates.ca();
    var server = certificates.server("idp", List.of("localhost"), List.of("127.0.0.1"));
    RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
    idp = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(server.certificate().toString())
                .setKeyPath(server.key().toString())))
        .requestHandler(request -> {
          String issuer = "https://localhost:" + request.localAddress().port() + ISSUER_PATH;
          if (request.path().endsWith("/.well-known/openid-configuration")) {
            request.response().end(new JsonObject().put("issuer", issuer).put("jwks_uri", issuer + "/jwks").encode());
          } else {
            request.response().end(new JWKSet(key.toPublicJWK()).toString());
          }
        })
        .listen().await();
    String issuer = "https://localhost:" + idp.actualPort() + ISSUER_PATH;
    GatewayConfig.Issuer config = new GatewayConfig.Issuer("bench", URI.create(issuer), Set.of("gatehouse"),
        Set.of(JWSAlgorithm.RS256), ClaimMapping.DEFAULT, Duration.ofSeconds(60), Duration.ofHours(1),
        Duration.ofSeconds(30), pki.resolve("ca.crt"), null);
    TrustedIssuer trusted = new TrustedIssuer(config, new IdpClient(vertx, pki.resolve("ca.crt"), Duration.ofSeconds(5)),
        InstantSource.system());
    trusted.start(vertx).await(30, TimeUnit.SECONDS);
    cold = new TokenVerifier(List.of(trusted), new TokenCache(1, Duration.ofMinutes(5), InstantSource.system()));
    cached = new TokenVerifier(List.of(trusted), new TokenCache(100_000, Duration.ofMinutes(5), InstantSource.system()));
    tokens = new String[1024];
    for (int i = 0; i < tokens.length; i++) {
      JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("user-" + i).audience("gatehouse")
          .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).claim("groups", List.of("finance"))
          .claim("amr", List.of("pwd", "otp")).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("bench").build(), claims);
      jwt.sign(new RSASSASigner(key));
      tokens[i] = jwt.serialize();
    }
    cached.verify(tokens[0]).result();
  }

  @TearDown
  public void tearDown() {
    vertx.close();
  }

  @Benchmark
  public Identity coldRs256() {
    next = (next + 1) & (tokens.length - 1);
    return cold.verify(tokens[next]).result();
  }

  @Benchmark
  public Identity cachedRs256() {
    return cached.verify(tokens[0]).result();
  }
}

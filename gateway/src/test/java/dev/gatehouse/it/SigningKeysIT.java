package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.audit.KeyRotationEvent;
import dev.gatehouse.identity.KeyRingException;
import dev.gatehouse.identity.SigningKeyGenerator;
import dev.gatehouse.testing.AppVerifier;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's signing keys over their life: published before they sign, kept published while their assertions may
 * still be verified, re-read from the key file when it changes, and never a request forwarded without an assertion.
 */
class SigningKeysIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static String token;

  @TempDir
  Path dir;

  final MutableClock clock = new MutableClock();
  TestGateway gateway;

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    // valid for longer than the tests move the clock
    token = idp.token("ursula", List.of(TestIdp.AUDIENCE), Map.of("groups", List.of("staff")), 3 * 3600);
  }

  @AfterAll
  static void stop() {
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  @AfterEach
  void stopGatewayAndCheckNothingElseReachedTheUpstream() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(upstream.drain()).isEmpty();
  }

  Path keyFile(JWK... keys) throws Exception {
    Path file = dir.resolve("assertion-keys.json");
    Files.writeString(file, new JWKSet(List.of(keys)).toString(false));
    return file;
  }

  TestGateway.Builder builder() {
    return TestGateway.builder().idp(idp).upstream(upstream).clock(clock).policy("saas.yaml", Policies.SAAS);
  }

  JWK key(Duration notBeforeFromNow) {
    return SigningKeyGenerator.generate(JWSAlgorithm.ES256, clock.instant().plus(notBeforeFromNow), clock.instant());
  }

  /** The assertion the upstream received for one allowed request. */
  String nextAssertion() {
    assertThat(gateway.get("/allowed/x", token).status()).isEqualTo(200);
    return upstream.take().headers().get("X-Gatehouse-Assertion");
  }

  static String kid(String assertion) throws Exception {
    return SignedJWT.parse(assertion).getHeader().getKeyID();
  }

  List<String> publishedKids() throws Exception {
    TestGateway.Response r = gateway.get("/.gatehouse/jwks.json", null);
    assertThat(r.status()).isEqualTo(200);
    return JWKSet.parse(r.body()).getKeys().stream().map(JWK::getKeyID).toList();
  }

  List<JsonObject> keyRotations() {
    return gateway.events().stream().filter(e -> "key_rotation".equals(e.getString("type"))).toList();
  }

  /** Completes with the first {@code key_rotation} line with this trigger the gateway writes from now on. */
  CompletableFuture<JsonObject> nextKeyRotation(String trigger) {
    CompletableFuture<JsonObject> next = new CompletableFuture<>();
    gateway.gateway().events().subscribe(e -> e instanceof KeyRotationEvent k && trigger.equals(k.trigger()),
        Runnable::run, line -> next.complete(new JsonObject(line)));
    return next;
  }

  AppVerifier app() {
    return new AppVerifier(gateway.port(), "gatehouse-test", "allowed", clock, 0);
  }

  @Test
  void aKeyWithAFutureNotBeforeIsPublishedAtOnceAndSignsFromThenWhileTheOldOneStaysPublished() throws Exception {
    JWK current = key(Duration.ofDays(-1));
    JWK next = key(Duration.ofMinutes(10));
    gateway = builder().section("assertion", "keys: " + keyFile(current, next) + "\nkeysPollInterval: 1s").start();

    assertThat(kid(nextAssertion())).isEqualTo(current.getKeyID());
    assertThat(publishedKids()).containsExactly(current.getKeyID(), next.getKeyID());
    CompletableFuture<JsonObject> scheduledRotation = nextKeyRotation("schedule");

    clock.advance(Duration.ofMinutes(9).plusSeconds(30));
    String lastOfTheOldKey = nextAssertion();
    clock.advance(Duration.ofSeconds(30));
    String firstOfTheNewKey = nextAssertion();

    assertThat(kid(lastOfTheOldKey)).isEqualTo(current.getKeyID());
    assertThat(kid(firstOfTheNewKey)).isEqualTo(next.getKeyID());
    assertThat(publishedKids()).containsExactly(current.getKeyID(), next.getKeyID());
    assertThat(app().verify(lastOfTheOldKey).getSubject()).as("signed 30s ago with the old key").isEqualTo("ursula");
    assertThat(app().verify(firstOfTheNewKey).getSubject()).isEqualTo("ursula");
    // the next key file poll (every second) sees that another key signs now
    JsonObject rotation = scheduledRotation.get(10, TimeUnit.SECONDS);
    assertThat(rotation.getString("purpose")).isEqualTo("assertion-signing");
    assertThat(rotation.getString("result")).isEqualTo("rotated");
    assertThat(rotation.getString("key_id")).isEqualTo(next.getKeyID());
    assertThat(rotation.getString("previous_key_id")).isEqualTo(current.getKeyID());
    assertThat(rotation.getString("algorithm")).isEqualTo("ES256");
  }

  @Test
  void theKeyFileIsReadAgainWhenItChangesAndAnUnusableOneIsRefused() throws Exception {
    JWK current = key(Duration.ofDays(-1));
    JWK next = key(Duration.ofHours(1));
    Path file = keyFile(current);
    gateway = builder().section("assertion", "keys: " + file).start();
    Vertx vertx = gateway.vertx();

    keyFile(current, next);
    assertThat(gateway.gateway().signingKeys().reload(vertx).await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(publishedKids()).containsExactly(current.getKeyID(), next.getKeyID());
    assertThat(kid(nextAssertion())).isEqualTo(current.getKeyID());

    Files.writeString(file, "{\"keys\": [");
    Throwable broken = catchThrowableOfType(Exception.class,
        () -> gateway.gateway().signingKeys().reload(vertx).await(10, TimeUnit.SECONDS));
    keyFile(next);
    Throwable nothingSignsNow = catchThrowableOfType(Exception.class,
        () -> gateway.gateway().signingKeys().reload(vertx).await(10, TimeUnit.SECONDS));

    assertThat(broken).isInstanceOf(KeyRingException.class).hasMessageStartingWith(file + ": not a JSON object: ");
    assertThat(nothingSignsNow).isInstanceOf(KeyRingException.class)
        .hasMessage(file + ": no key may sign now (every key has expired or has an 'nbf' in the future)");
    assertThat(publishedKids()).containsExactly(current.getKeyID(), next.getKeyID());
    assertThat(app().verify(nextAssertion()).getSubject()).isEqualTo("ursula");
    List<JsonObject> rotations = keyRotations();
    assertThat(rotations).extracting(e -> e.getString("result")).containsExactly("updated", "failed", "failed");
    assertThat(rotations.get(0).getString("trigger")).isEqualTo("file-change");
    assertThat(rotations.get(0).getString("key_id")).isEqualTo(current.getKeyID());
    assertThat(rotations.get(0).getJsonArray("added_key_ids").getList()).containsExactly(next.getKeyID());
    assertThat(rotations.get(1).getString("error")).isEqualTo(broken.getMessage());
    assertThat(rotations.get(2).getString("error")).isEqualTo(nothingSignsNow.getMessage());
    assertThat(rotations.get(2).getString("key_id")).as("the key that keeps signing").isEqualTo(current.getKeyID());
    assertThat(rotations.toString()).doesNotContain("\"d\"");
  }

  @Test
  void whenNoKeyMaySignRequestsAreRefusedInsteadOfForwardedWithoutAnAssertion() throws Exception {
    JWK expiring = new ECKeyGenerator(Curve.P_256).keyID("expiring")
        .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1)))).generate();
    gateway = builder().section("assertion", "keys: " + keyFile(expiring)).start();
    assertThat(kid(nextAssertion())).isEqualTo("expiring");

    clock.advance(Duration.ofHours(1));
    TestGateway.Response r = gateway.get("/allowed/x", token);

    assertThat(r.status()).isEqualTo(500);
    assertThat(r.json().getString("reason")).isEqualTo("internal-error");
    assertThat(r.body()).doesNotContain("expiring");
    assertThat(gateway.eventOf(r.header("X-Request-Id")).getString("reason")).isEqualTo("internal-error");
    assertThat(publishedKids()).isEmpty();
  }

  @Test
  void anUnusableKeyFileStopsTheGatewayFromStarting() throws Exception {
    JWK publicOnly = key(Duration.ZERO).toPublicJWK();
    Path file = keyFile(publicOnly);

    IllegalStateException e = catchThrowableOfType(IllegalStateException.class,
        () -> builder().section("assertion", "keys: " + file).start());

    assertThat(e).hasMessageContaining("assertion keys: " + file + ": keys[0] (kid " + publicOnly.getKeyID()
        + "): the key has no private part (expected: a private JWK)");
  }

  @Test
  void withoutAKeyFileAGeneratedKeyOfTheConfiguredAlgorithmSigns() throws Exception {
    gateway = builder().section("assertion", "algorithm: RS256").start();

    String assertion = nextAssertion();

    assertThat(SignedJWT.parse(assertion).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(publishedKids()).containsExactly(kid(assertion));
    assertThat(app().verify(assertion).getSubject()).isEqualTo("ursula");
  }
}

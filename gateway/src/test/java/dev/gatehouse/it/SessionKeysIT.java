package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import dev.gatehouse.identity.CookieSealer;
import dev.gatehouse.identity.Session;
import dev.gatehouse.identity.SessionCodec;
import dev.gatehouse.identity.SessionKeyStore;
import dev.gatehouse.identity.SessionKeys;
import dev.gatehouse.testing.HttpBrowser;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cookie keys from a key file: rotation with overlap (the first encrypts, all decrypt), removal, fresh sessions. */
class SessionKeysIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static MutableClock clock = new MutableClock();
  static TestGateway gateway;
  static String origin;
  static Path keyFile;
  static OctetSequenceKey keyA = SessionKeys.newJwk();
  static OctetSequenceKey keyB = SessionKeys.newJwk();

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start("test", clock);
    keyFile = Files.createTempFile(TestPki.directory(), "cookie-keys", ".json");
    writeKeys(keyA);
    gateway = TestGateway.builder().idp(idp).upstream(upstream).clock(clock).policy("saas.yaml", Policies.SAAS)
        .browser("gatehouse-web", "session:\n  cookieKeys: " + keyFile + "\n  keysPollInterval: 1h").start();
    origin = "https://localhost:" + gateway.port();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  static void writeKeys(OctetSequenceKey... keys) throws Exception {
    Files.writeString(keyFile, new JWKSet(List.of(keys)).toString(false));
  }

  static boolean reload() throws Exception {
    return gateway.gateway().sessionKeys().reload(gateway.vertx()).await(10, TimeUnit.SECONDS);
  }

  static List<JsonObject> keyRotations() {
    return gateway.events().stream().filter(e -> "key_rotation".equals(e.getString("type"))).toList();
  }

  static String kid(String sealed) throws Exception {
    return JWEObject.parse(sealed).getHeader().getKeyID();
  }

  static int status(HttpBrowser browser) {
    return browser.get(origin + "/allowed/x", Map.of("Accept", "application/json")).status();
  }

  @Test
  void aNewKeyDecryptsAtOnceEncryptsWhenFirstAndARemovedKeyEndsItsSessions() throws Exception {
    writeKeys(keyA);
    reload();
    clock.reset();
    HttpBrowser browser = new HttpBrowser();
    idp.nextUser("alice", Map.of("groups", List.of("finance")));
    browser.open(origin + "/allowed/");
    String underA = browser.cookie("__Host-gatehouse-session");
    assertThat(kid(underA)).isEqualTo(keyA.getKeyID());

    writeKeys(keyB, keyA);
    assertThat(reload()).isTrue();
    assertThat(status(browser)).as("a cookie of the old key still opens").isEqualTo(200);
    clock.advance(Duration.ofMinutes(2));
    assertThat(status(browser)).isEqualTo(200);
    String underB = browser.cookie("__Host-gatehouse-session");
    assertThat(kid(underB)).as("rewritten with the first key").isEqualTo(keyB.getKeyID());

    writeKeys(keyB);
    assertThat(reload()).isTrue();
    List<JsonObject> rotations = keyRotations();
    assertThat(rotations.subList(rotations.size() - 2, rotations.size()))
        .extracting(e -> e.getString("result"), e -> e.getString("key_id"), e -> e.getString("previous_key_id"))
        .containsExactly(tuple("rotated", keyB.getKeyID(), keyA.getKeyID()),
            tuple("updated", keyB.getKeyID(), keyB.getKeyID()));
    assertThat(rotations.get(rotations.size() - 2).getJsonArray("added_key_ids").getList())
        .containsExactly(keyB.getKeyID());
    assertThat(rotations.get(rotations.size() - 1).getJsonArray("retired_key_ids").getList())
        .containsExactly(keyA.getKeyID());
    assertThat(status(browser)).isEqualTo(200);
    browser.setCookie("__Host-gatehouse-session", underA);
    HttpBrowser.Page refused = browser.get(origin + "/allowed/x", Map.of("Accept", "application/json"));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(new JsonObject(refused.body()).getString("reason")).isEqualTo("session-invalid");
  }

  @Test
  void anUnusableKeyFileIsRefusedAndTheKeysInForceStay() throws Exception {
    writeKeys(keyA);
    reload();
    Files.writeString(keyFile, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"short\",\"k\":\"AAAA\"}]}");

    Throwable failure = gateway.gateway().sessionKeys().reload(gateway.vertx()).transform(ar ->
        io.vertx.core.Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);

    assertThat(failure).hasMessageEndingWith("keys[0] (kid short): a 24-bit key (expected: exactly 256 bits for AES-256-GCM)");
    assertThat(gateway.gateway().sessionKeys().current().kids()).containsExactly(keyA.getKeyID());
    List<JsonObject> rotations = keyRotations();
    JsonObject refused = rotations.get(rotations.size() - 1);
    assertThat(refused.getString("purpose")).isEqualTo("session-cookie");
    assertThat(refused.getString("result")).isEqualTo("failed");
    assertThat(refused.getString("key_id")).isEqualTo(keyA.getKeyID());
    assertThat(refused.getString("error")).isEqualTo(failure.getMessage());
    writeKeys(keyA);
  }

  @Test
  void signInAlwaysStartsAFreshSessionWhateverCookieTheBrowserHad() throws Exception {
    writeKeys(keyA);
    reload();
    clock.reset();
    HttpBrowser alice = new HttpBrowser();
    idp.nextUser("alice", Map.of("groups", List.of("finance")));
    alice.open(origin + "/allowed/");
    String planted = alice.cookie("__Host-gatehouse-session");

    HttpBrowser victim = new HttpBrowser();
    HttpBrowser.Page toIdp = victim.navigate(origin + "/allowed/");
    victim.setCookie("__Host-gatehouse-session", planted);
    idp.nextUser("bob", Map.of("groups", List.of("finance")));
    victim.followAll(toIdp, new java.util.ArrayList<>());

    SessionCodec codec = new SessionCodec(new CookieSealer(SessionKeyStore.load(keyFile)), Duration.ofHours(8),
        Duration.ofHours(24), clock);
    Session before = codec.decode(planted);
    Session after = codec.decode(victim.cookie("__Host-gatehouse-session"));
    assertThat(after.subject()).isEqualTo("bob");
    assertThat(after.id()).isNotEqualTo(before.id()).matches("[A-Za-z0-9_-]{22}");
    assertThat(after.refreshToken()).as("the provider's refresh token is kept for refreshing").isNotNull();
  }
}

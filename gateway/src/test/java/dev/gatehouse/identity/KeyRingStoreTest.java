package dev.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.gatehouse.audit.AuditEvent;
import dev.gatehouse.audit.KeyRotationEvent;
import dev.gatehouse.testing.MutableClock;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingStoreTest {

  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  static final InstantSource CLOCK = () -> NOW;
  static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static JWK key(Instant notBefore) {
    return SigningKeyGenerator.generate(JWSAlgorithm.ES256, notBefore, NOW);
  }

  Path write(JWK... keys) throws Exception {
    Path file = dir.resolve("keys.json");
    Files.writeString(file, new JWKSet(List.of(keys)).toString(false));
    return file;
  }

  @Test
  void aChangedFileIsPutInForceAndAnUnchangedOneIsNot() throws Exception {
    JWK first = key(NOW.minusSeconds(60));
    JWK second = key(NOW.plus(Duration.ofHours(1)));
    KeyRingStore store = KeyRingStore.load(write(first), CLOCK);

    assertThat(store.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    write(first, second);
    assertThat(store.reload(vertx).await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(store.current().published(NOW)).extracting(SigningKey::kid)
        .containsExactly(first.getKeyID(), second.getKeyID());
    assertThat(store.current().signingKey(NOW).kid()).isEqualTo(first.getKeyID());
  }

  @Test
  void anInvalidFileIsRefusedAndTheKeysInForceStay() throws Exception {
    JWK first = key(NOW.minusSeconds(60));
    Path file = write(first);
    KeyRingStore store = KeyRingStore.load(file, CLOCK);
    KeyRing before = store.current();

    Files.writeString(file, "{\"keys\": [");
    Throwable broken = catchThrowableOfType(Exception.class, () -> store.reload(vertx).await(5, TimeUnit.SECONDS));
    write(first.toPublicJWK());
    Throwable publicOnly = catchThrowableOfType(Exception.class, () -> store.reload(vertx).await(5, TimeUnit.SECONDS));
    write(key(NOW.plusSeconds(60)));
    Throwable notYet = catchThrowableOfType(Exception.class, () -> store.reload(vertx).await(5, TimeUnit.SECONDS));

    assertThat(broken).isInstanceOf(KeyRingException.class).hasMessageStartingWith(file + ": not a JSON object: ");
    assertThat(publicOnly).hasMessage(file + ": keys[0] (kid " + first.getKeyID()
        + "): the key has no private part (expected: a private JWK)");
    assertThat(notYet).hasMessage(file + ": no key may sign now (every key has expired or has an 'nbf' in the future)");
    assertThat(store.current()).isSameAs(before);
  }

  @Test
  void aGeneratedKeySignsAtOnceAndNeverReloads() throws Exception {
    KeyRingStore store = KeyRingStore.generated(JWSAlgorithm.RS256, CLOCK);

    assertThat(store.current().signingKey(NOW).algorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(store.file()).isNull();
    assertThat(store.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void eachChangeOfTheFileIsAKeyRotationEventAndARefusedFileAFailedOne() throws Exception {
    JWK first = key(NOW.minusSeconds(60));
    JWK second = key(NOW.plus(Duration.ofHours(1)));
    Path file = write(first);
    KeyRingStore store = KeyRingStore.load(file, CLOCK);
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    store.start(vertx, Duration.ofHours(1), events::add);
    try {
      write(first, second);
      store.reload(vertx).await(5, TimeUnit.SECONDS);
      write(second);
      catchThrowableOfType(Exception.class, () -> store.reload(vertx).await(5, TimeUnit.SECONDS));
    } finally {
      store.stop(vertx);
    }

    assertThat(events).containsExactly(
        new KeyRotationEvent(NOW, "assertion-signing", "file-change", "updated", "ES256", first.getKeyID(),
            first.getKeyID(), List.of(second.getKeyID()), List.of(), null),
        KeyRotationEvent.failed(NOW, "assertion-signing", "file-change", first.getKeyID(),
            file + ": no key may sign now (every key has expired or has an 'nbf' in the future)"));
  }

  @Test
  void aKeyThatStartsOrStopsSigningAsTimePassesIsAScheduledKeyRotation() throws Exception {
    MutableClock clock = new MutableClock();
    Instant start = clock.instant();
    JWK first = SigningKeyGenerator.generate(JWSAlgorithm.ES256, start.minusSeconds(60), start);
    JWK second = SigningKeyGenerator.generate(JWSAlgorithm.ES256, start.plus(Duration.ofMinutes(10)), start);
    KeyRingStore store = KeyRingStore.load(write(first, second), clock);
    Promise<AuditEvent> rotation = Promise.promise();
    store.start(vertx, Duration.ofMillis(10), rotation::tryComplete);
    try {
      clock.advance(Duration.ofMinutes(10));

      assertThat(rotation.future().await(5, TimeUnit.SECONDS)).isEqualTo(new KeyRotationEvent(clock.instant(),
          "assertion-signing", "schedule", "rotated", "ES256", second.getKeyID(), first.getKeyID(), List.of(),
          List.of(), null));
    } finally {
      store.stop(vertx);
    }
  }
}

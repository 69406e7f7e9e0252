package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.identity.KeyRing;
import dev.gatehouse.identity.SigningKey;
import dev.gatehouse.testing.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse keys generate}, the operator's tool for rotating the assertion signing keys. */
class KeysCommandIT {

  @TempDir
  Path dir;

  @Test
  void writesANewKeyFileWithAPrivateKeyThatSignsLater() throws Exception {
    Path file = dir.resolve("keys.json");
    Instant before = Instant.now();

    GatewayProcess.Finished r = GatewayProcess.run("keys", "generate", "--not-before", "1h", "--out", file.toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    KeyRing ring = KeyRing.parse(Files.readAllBytes(file));
    assertThat(ring.keys()).hasSize(1);
    SigningKey key = ring.keys().get(0);
    assertThat(key.algorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(key.notBefore()).isBetween(before.plus(Duration.ofHours(1)).minusSeconds(1),
        Instant.now().plus(Duration.ofHours(1)));
    assertThat(ring.signingKey(Instant.now())).as("published now, signs in an hour").isNull();
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(r.stderr()).contains("key " + key.kid() + " (ES256)");
  }

  @Test
  void addsAKeyToAnExistingFileAndKeepsTheOthers() throws Exception {
    Path file = dir.resolve("keys.json");
    assertThat(GatewayProcess.run("keys", "generate", "--out", file.toString()).exitCode()).isZero();
    String first = KeyRing.parse(Files.readAllBytes(file)).keys().get(0).kid();

    GatewayProcess.Finished r = GatewayProcess.run("keys", "generate", "--alg", "RS256", "--not-before", "2d",
        "--add-to", file.toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    KeyRing ring = KeyRing.parse(Files.readAllBytes(file));
    assertThat(ring.keys()).extracting(SigningKey::algorithm).containsExactly(JWSAlgorithm.ES256, JWSAlgorithm.RS256);
    assertThat(ring.keys().get(0).kid()).isEqualTo(first);
    assertThat(ring.signingKey(Instant.now()).kid()).isEqualTo(first);
    assertThat(ring.signingKey(Instant.now().plus(Duration.ofDays(2)).plusSeconds(5)).kid())
        .isEqualTo(ring.keys().get(1).kid());
  }

  @Test
  void printsTheKeySetWhenNoFileIsGiven() throws Exception {
    GatewayProcess.Finished r = GatewayProcess.run("keys", "generate");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(KeyRing.parse(r.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8)).keys()).hasSize(1);
  }

  @Test
  void refusesToOverwriteAFileOrToAddToABrokenOne() throws Exception {
    Path existing = Files.writeString(dir.resolve("keys.json"), "{\"keys\": [");

    GatewayProcess.Finished overwrite = GatewayProcess.run("keys", "generate", "--out", existing.toString());
    GatewayProcess.Finished addToBroken = GatewayProcess.run("keys", "generate", "--add-to", existing.toString());
    GatewayProcess.Finished badAlgorithm = GatewayProcess.run("keys", "generate", "--alg", "HS256");
    GatewayProcess.Finished badDuration = GatewayProcess.run("keys", "generate", "--not-before", "soon");

    assertThat(overwrite.exitCode()).isEqualTo(1);
    assertThat(overwrite.stderr()).contains(existing + " exists; use --add-to to add a key to it");
    assertThat(addToBroken.exitCode()).isEqualTo(1);
    assertThat(addToBroken.stderr()).contains(existing + " is not a valid key file, so it was left alone: "
        + "not a JSON object");
    assertThat(Files.readString(existing)).isEqualTo("{\"keys\": [");
    assertThat(badAlgorithm.exitCode()).isEqualTo(2);
    assertThat(badAlgorithm.stderr()).contains("--alg HS256 (expected: ES256 or RS256)");
    assertThat(badDuration.exitCode()).isEqualTo(2);
    assertThat(badDuration.stderr()).contains("--not-before soon (expected: a duration such as 0s, 30m, 1h, 2d)");
  }

  @Test
  void writesAndRotatesCookieKeys() throws Exception {
    Path file = dir.resolve("cookie-keys.json");

    GatewayProcess.Finished written = GatewayProcess.run("keys", "generate", "--type", "session", "--out", file.toString());
    assertThat(written.exitCode()).as(written.stderr()).isZero();
    java.util.List<String> one = dev.gatehouse.identity.SessionKeys.parse(Files.readAllBytes(file)).kids();
    assertThat(one).hasSize(1);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    assertThat(GatewayProcess.run("keys", "generate", "--type", "session", "--add-to", file.toString()).exitCode()).isZero();
    java.util.List<String> two = dev.gatehouse.identity.SessionKeys.parse(Files.readAllBytes(file)).kids();
    assertThat(two).hasSize(2).startsWith(one.get(0));

    GatewayProcess.Finished first = GatewayProcess.run("keys", "generate", "--type", "session", "--add-to",
        file.toString(), "--first");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    java.util.List<String> three = dev.gatehouse.identity.SessionKeys.parse(Files.readAllBytes(file)).kids();
    assertThat(three).hasSize(3).endsWith(two.toArray(String[]::new));
    assertThat(first.stderr()).contains("cookie key " + three.get(0) + " encrypts as soon as the gateways read the file");

    GatewayProcess.Finished wrong = GatewayProcess.run("keys", "generate", "--type", "session", "--not-before", "1h");
    assertThat(wrong.exitCode()).isEqualTo(2);
  }
}

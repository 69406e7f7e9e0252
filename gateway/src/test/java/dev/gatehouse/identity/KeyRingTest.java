package dev.gatehouse.identity;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyRingTest {

  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  static JWK es256(Instant notBefore) {
    return SigningKeyGenerator.generate(JWSAlgorithm.ES256, notBefore, NOW.minus(Duration.ofDays(1)));
  }

  static byte[] set(JWK... keys) {
    return new JWKSet(List.of(keys)).toString(false).getBytes(UTF_8);
  }

  static String error(byte[] content) {
    KeyRingException e = catchThrowableOfType(KeyRingException.class, () -> KeyRing.parse(content));
    assertThat(e).as("the key ring should have been refused").isNotNull();
    return e.getMessage();
  }

  @Test
  void signsWithTheKeyWithTheLatestNotBeforeThatHasPassed() throws Exception {
    JWK old = es256(NOW.minus(Duration.ofDays(30)));
    JWK current = es256(NOW.minus(Duration.ofDays(1)));
    JWK next = es256(NOW.plus(Duration.ofHours(1)));

    KeyRing ring = KeyRing.parse(set(old, next, current));

    assertThat(ring.signingKey(NOW).kid()).isEqualTo(current.getKeyID());
    assertThat(ring.signingKey(NOW.plus(Duration.ofHours(1))).kid()).isEqualTo(next.getKeyID());
    assertThat(ring.signingKey(NOW.minus(Duration.ofDays(10))).kid()).isEqualTo(old.getKeyID());
    assertThat(ring.signingKey(NOW.minus(Duration.ofDays(31)))).isNull();
  }

  @Test
  void publishesKeysBeforeTheySignAndUntilTheyExpire() throws Exception {
    JWK expiring = new ECKeyGenerator(Curve.P_256).keyID("expiring").expirationTime(Date.from(NOW.plusSeconds(60)))
        .generate();
    JWK future = es256(NOW.plus(Duration.ofHours(1)));

    KeyRing ring = KeyRing.parse(set(expiring, future));

    assertThat(ring.published(NOW)).extracting(SigningKey::kid).containsExactly("expiring", future.getKeyID());
    assertThat(ring.signingKey(NOW).kid()).isEqualTo("expiring");
    assertThat(ring.published(NOW.plusSeconds(60))).extracting(SigningKey::kid).containsExactly(future.getKeyID());
    assertThat(ring.signingKey(NOW.plusSeconds(60))).as("expired, and the next one not yet valid").isNull();
  }

  @Test
  void aKeyWithoutNotBeforeSignsFromTheStartButYieldsToAnyKeyWithOne() throws Exception {
    JWK plain = new ECKeyGenerator(Curve.P_256).keyID("plain").generate();
    JWK dated = es256(NOW.minusSeconds(1));

    assertThat(KeyRing.parse(set(plain)).signingKey(NOW).kid()).isEqualTo("plain");
    assertThat(KeyRing.parse(set(dated, plain)).signingKey(NOW).kid()).isEqualTo(dated.getKeyID());
  }

  @Test
  void publishesOnlyPublicKeyMaterialWithKidAlgAndUse() throws Exception {
    JWK ec = es256(NOW.minusSeconds(10));
    JWK rsa = SigningKeyGenerator.generate(JWSAlgorithm.RS256, null, NOW);

    Map<String, Object> jwks = JSONObjectUtils.parse(KeyRing.parse(set(ec, rsa)).jwks(NOW));

    assertThat(jwks).containsOnlyKeys("keys");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> keys = (List<Map<String, Object>>) (List<?>) JSONObjectUtils.getJSONArray(jwks, "keys");
    assertThat(keys).hasSize(2);
    assertThat(keys.get(0)).containsOnlyKeys("kty", "crv", "x", "y", "kid", "alg", "use")
        .containsEntry("kid", ec.getKeyID()).containsEntry("alg", "ES256").containsEntry("use", "sig");
    assertThat(keys.get(1)).containsOnlyKeys("kty", "n", "e", "kid", "alg", "use")
        .containsEntry("alg", "RS256");
  }

  @Test
  void refusesWhatCannotSign() throws Exception {
    JWK ok = es256(null);
    assertThat(error("{\"keys\": [".getBytes(UTF_8))).startsWith("not a JSON object: ");
    assertThat(error("{\"keys\": {}}".getBytes(UTF_8))).isEqualTo("'keys' is not a list");
    assertThat(error("{\"keys\": []}".getBytes(UTF_8)))
        .isEqualTo("the key set has no keys (expected: {\"keys\": [...]} with at least one private key)");
    assertThat(error(set(new ECKeyGenerator(Curve.P_256).generate())))
        .isEqualTo("keys[0]: the key has no 'kid' (apps find the key of an assertion by it)");
    assertThat(error(set(ok, ok.toPublicJWK())))
        .isEqualTo("keys[1] (kid " + ok.getKeyID() + "): the key has no private part (expected: a private JWK)");
    assertThat(error(set(ok, new ECKeyGenerator(Curve.P_256).keyID(ok.getKeyID()).generate())))
        .isEqualTo("keys[1]: kid '" + ok.getKeyID() + "' appears twice");
    assertThat(error(set(new ECKeyGenerator(Curve.P_384).keyID("k").generate())))
        .isEqualTo("keys[0] (kid k): curve P-384 (expected: P-256 for ES256)");
    assertThat(error(set(new RSAKeyGenerator(1024, true).keyID("k").generate())))
        .isEqualTo("keys[0] (kid k): a 1024-bit RSA key (expected: at least 2048 bits)");
    assertThat(error(set(new ECKeyGenerator(Curve.P_256).keyID("k").algorithm(JWSAlgorithm.RS256).generate())))
        .isEqualTo("keys[0] (kid k): 'alg' is RS256 (expected: ES256 for this key type)");
    assertThat(error(set(new ECKeyGenerator(Curve.P_256).keyID("k").keyUse(KeyUse.ENCRYPTION).generate())))
        .isEqualTo("keys[0] (kid k): 'use' is 'enc' (expected: sig)");
    assertThat(error(set(new ECKeyGenerator(Curve.P_256).keyID("k").notBeforeTime(Date.from(NOW))
        .expirationTime(Date.from(NOW)).generate())))
        .isEqualTo("keys[0] (kid k): 'exp' is not after 'nbf'");
    assertThat(error("{\"keys\": [{\"kty\": \"oct\", \"kid\": \"k\", \"k\": \"c2VjcmV0c2VjcmV0c2VjcmV0\"}]}"
        .getBytes(UTF_8))).isEqualTo("keys[0] (kid k): key type oct (expected: EC P-256 or RSA)");
  }
}

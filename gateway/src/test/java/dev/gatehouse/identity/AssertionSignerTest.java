package dev.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssertionSignerTest {

  static final Instant NOW = Instant.parse("2025-06-01T12:00:00.750Z");

  @TempDir
  Path dir;

  static Identity identity(Map<String, Object> claims) {
    return new Identity("alice", "https://idp.example.com", "alice@example.com",
        new LinkedHashSet<>(List.of("finance", "support")), "acme", List.of("pwd", "otp"), "urn:mfa",
        Instant.parse("2025-06-01T11:50:00Z"), NOW.plusSeconds(3600), AuthMethod.BEARER, claims);
  }

  KeyRingStore store(JWK... keys) throws Exception {
    Path file = dir.resolve("keys.json");
    Files.writeString(file, new JWKSet(List.of(keys)).toString(false), StandardCharsets.UTF_8);
    return KeyRingStore.load(file, () -> NOW);
  }

  @Test
  void signsEveryClaimAnAppNeeds() throws Exception {
    JWK key = SigningKeyGenerator.generate(JWSAlgorithm.ES256, NOW.minusSeconds(1), NOW);
    AssertionSigner signer = new AssertionSigner("gatehouse", Duration.ofSeconds(60), null, store(key), () -> NOW);

    SignedJWT jwt = SignedJWT.parse(signer.sign(identity(Map.of()), "billing", null, Set.of("user_data", "billing"),
        "0af7651916cd43dd8448eb211c80319c"));

    assertThat(jwt.verify(new ECDSAVerifier((ECKey) key.toPublicJWK()))).isTrue();
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.getKeyID());
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("gatehouse-assertion+jwt");
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getClaims()).containsOnlyKeys("iss", "aud", "sub", "iat", "exp", "jti", "email", "groups",
        "tenant", "amr", "acr", "auth_time", "permissions", "route", "rid");
    assertThat(claims.getIssuer()).isEqualTo("gatehouse");
    assertThat(claims.getAudience()).containsExactly("billing");
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssueTime()).isEqualTo(Date.from(Instant.parse("2025-06-01T12:00:00Z")));
    assertThat(claims.getExpirationTime()).isEqualTo(Date.from(Instant.parse("2025-06-01T12:01:00Z")));
    assertThat(claims.getJWTID()).matches("[0-9a-f]{32}");
    assertThat(claims.getStringClaim("email")).isEqualTo("alice@example.com");
    assertThat(claims.getStringListClaim("groups")).containsExactly("finance", "support");
    assertThat(claims.getStringClaim("tenant")).isEqualTo("acme");
    assertThat(claims.getStringListClaim("amr")).containsExactly("pwd", "otp");
    assertThat(claims.getStringClaim("acr")).isEqualTo("urn:mfa");
    assertThat(claims.getLongClaim("auth_time")).isEqualTo(Instant.parse("2025-06-01T11:50:00Z").getEpochSecond());
    assertThat(claims.getStringListClaim("permissions")).containsExactly("billing", "user_data");
    assertThat(claims.getStringClaim("route")).isEqualTo("billing");
    assertThat(claims.getStringClaim("rid")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void theRouteAudienceBeatsTheConfiguredOneWhichBeatsTheRouteId() throws Exception {
    KeyRingStore keys = store(SigningKeyGenerator.generate(JWSAlgorithm.ES256, null, NOW));
    AssertionSigner global = new AssertionSigner("gh", Duration.ofSeconds(60), "apps", keys, () -> NOW);
    Identity who = identity(Map.of());

    assertThat(SignedJWT.parse(global.sign(who, "r", "r-app", Set.of(), "id")).getJWTClaimsSet().getAudience())
        .containsExactly("r-app");
    assertThat(SignedJWT.parse(global.sign(who, "r", null, Set.of(), "id")).getJWTClaimsSet().getAudience())
        .containsExactly("apps");
  }

  @Test
  void anUnverifiedEmailIsNotAsserted() throws Exception {
    KeyRingStore keys = store(SigningKeyGenerator.generate(JWSAlgorithm.ES256, null, NOW));
    AssertionSigner signer = new AssertionSigner("gh", Duration.ofSeconds(60), null, keys, () -> NOW);

    for (Object unverified : List.of(false, "false")) {
      SignedJWT jwt = SignedJWT.parse(signer.sign(identity(Map.of("email_verified", unverified)), "r", null, Set.of(),
          "id"));
      assertThat(jwt.getJWTClaimsSet().getClaim("email")).isNull();
    }
  }

  @Test
  void refusesToSignWhenNoKeyIsValidAnyMore() throws Exception {
    JWK key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("k")
        .expirationTime(Date.from(NOW.plusSeconds(30))).generate();
    InstantSource later = () -> NOW.plusSeconds(30);
    AssertionSigner signer = new AssertionSigner("gh", Duration.ofSeconds(60), null, store(key), later);

    Reason.Rejection r = catchThrowableOfType(Reason.Rejection.class,
        () -> signer.sign(identity(Map.of()), "r", null, Set.of(), "id"));

    assertThat(r.reason()).isEqualTo(Reason.INTERNAL_ERROR);
  }
}

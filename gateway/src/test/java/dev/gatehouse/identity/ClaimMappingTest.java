package dev.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimMappingTest {

  private static final Instant EXP = Instant.parse("2025-03-01T13:00:00Z");
  private static final String ISS = "https://idp.example.com/realms/corp";

  private static final ClaimMapping KEYCLOAK = new ClaimMapping(ClaimPath.parse("email"),
      List.of(ClaimPath.parse("realm_access.roles"), ClaimPath.parse("resource_access.\"my.app\".roles"),
          ClaimPath.parse("\"https://example.com/roles\"")),
      ClaimPath.parse("org.tenant"));

  @Test
  void mapsKeycloakStyleClaims() {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", "u-1");
    claims.put("email", "alice@example.com");
    claims.put("realm_access", Map.of("roles", List.of("support", "finance")));
    claims.put("resource_access", Map.of("my.app", Map.of("roles", List.of("editor", "support"))));
    claims.put("https://example.com/roles", "auditor");
    claims.put("org", Map.of("tenant", "acme"));
    claims.put("amr", List.of("pwd", "otp"));
    claims.put("acr", "silver");
    claims.put("auth_time", 1_740_830_000L);
    claims.put("nickname", null);

    Identity id = KEYCLOAK.identityOf(claims, ISS, EXP, AuthMethod.SESSION);

    assertThat(id.subject()).isEqualTo("u-1");
    assertThat(id.issuer()).isEqualTo(ISS);
    assertThat(id.email()).isEqualTo("alice@example.com");
    assertThat(id.groups()).containsExactlyInAnyOrder("support", "finance", "editor", "auditor");
    assertThat(id.tenant()).isEqualTo("acme");
    assertThat(id.amr()).containsExactly("pwd", "otp");
    assertThat(id.acr()).isEqualTo("silver");
    assertThat(id.authTime()).isEqualTo(Instant.ofEpochSecond(1_740_830_000L));
    assertThat(id.expiresAt()).isEqualTo(EXP);
    assertThat(id.method()).isEqualTo(AuthMethod.SESSION);
    assertThat(id.claims()).containsEntry("acr", "silver").doesNotContainKey("nickname");
  }

  @Test
  void mapsDefaultClaimsWithStringOrArrayGroups() {
    Identity single = ClaimMapping.DEFAULT.identityOf(Map.of("sub", "u", "groups", "admins"), ISS, EXP,
        AuthMethod.BEARER);
    Identity many = ClaimMapping.DEFAULT.identityOf(Map.of("sub", "u", "groups", List.of("a", "b"), "tenant", "t"), ISS,
        EXP, AuthMethod.BEARER);

    assertThat(single.groups()).containsExactly("admins");
    assertThat(many.groups()).containsExactlyInAnyOrder("a", "b");
    assertThat(many.tenant()).isEqualTo("t");
  }

  @Test
  void leavesMissingOrMistypedClaimsEmpty() {
    Map<String, Object> claims = Map.of(
        "sub", "u",
        "email", List.of("a@example.com"),
        "groups", Map.of("x", "y"),
        "tenant", 42,
        "amr", "otp",
        "acr", 2,
        "auth_time", "yesterday");

    Identity id = ClaimMapping.DEFAULT.identityOf(claims, ISS, EXP, AuthMethod.BEARER);

    assertThat(id.email()).isNull();
    assertThat(id.groups()).isEmpty();
    assertThat(id.tenant()).isNull();
    assertThat(id.amr()).isEmpty();
    assertThat(id.acr()).isNull();
    assertThat(id.authTime()).isNull();
  }

  @Test
  void mapsNothingFromAbsentPaths() {
    Identity id = KEYCLOAK.identityOf(Map.of("sub", "u"), ISS, EXP, AuthMethod.BEARER);

    assertThat(id.email()).isNull();
    assertThat(id.groups()).isEmpty();
    assertThat(id.tenant()).isNull();
    assertThat(id.amr()).isEmpty();
  }

  @Test
  void readsAuthTimeFromDate() {
    Instant t = Instant.parse("2025-03-01T11:00:00Z");

    Identity id = ClaimMapping.DEFAULT.identityOf(Map.of("sub", "u", "auth_time", Date.from(t)), ISS, EXP,
        AuthMethod.BEARER);

    assertThat(id.authTime()).isEqualTo(t);
  }

  @Test
  void mapsNoTenantWhenTenantPathIsNull() {
    ClaimMapping noTenant = new ClaimMapping(ClaimPath.parse("email"), List.of(), null);

    Identity id = noTenant.identityOf(Map.of("sub", "u", "tenant", "acme", "groups", List.of("g")), ISS, EXP,
        AuthMethod.BEARER);

    assertThat(id.tenant()).isNull();
    assertThat(id.groups()).isEmpty();
  }
}

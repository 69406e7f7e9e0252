package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every condition of the policy language, through a running gateway with real tokens: one case it allows and one it
 * denies. Plus tenant isolation against path tricks and the MFA step-up challenge.
 */
class PolicyLanguageIT {

  static final String POLICY = """
      mfa:
        amr: [otp, hwk]
        acr: [urn:example:mfa]
        acrLevels: [bronze, silver, gold]
      permissions:
        billing: [finance]
        reports: [analysts]
        user_data: [support]
        admin: [admins]
      routes:
        - {id: all-permissions, path: /all/**, upstream: "${UPSTREAM}", allow: [{permissions: [billing, reports]}]}
        - {id: any-permission, path: /any/**, upstream: "${UPSTREAM}", allow: [{anyPermission: [billing, reports]}]}
        - {id: groups, path: /groups/**, upstream: "${UPSTREAM}", allow: [{groups: [auditors]}]}
        - {id: subjects, path: /subjects/**, upstream: "${UPSTREAM}", allow: [{subjects: [svc-reporting]}]}
        - {id: emails, path: /emails/**, upstream: "${UPSTREAM}", allow: [{emails: [ceo@example.com]}]}
        - {id: domains, path: /domains/**, upstream: "${UPSTREAM}", allow: [{emailDomains: [example.com]}]}
        - {id: claim-equals, path: /claim-equals/**, upstream: "${UPSTREAM}", allow: [{claims: {department: {equals: finance}}}]}
        - {id: claim-contains, path: /claim-contains/**, upstream: "${UPSTREAM}",
           allow: [{claims: {realm_access.roles: {contains: auditor}}}]}
        - {id: scope, path: /scope/**, upstream: "${UPSTREAM}", allow: [{claims: {scope: {contains: "reports:read"}}}]}
        - {id: methods, path: /methods/**, upstream: "${UPSTREAM}", allow: [{authenticated: true, name: x}, ]}
        - {id: read-only, path: /read-only/**, upstream: "${UPSTREAM}", allow: [{methods: [GET, HEAD]}]}
        - {id: route-methods, path: /route-methods/**, methods: [POST], upstream: "${UPSTREAM}", allow: [{authenticated: true}]}
        - {id: deny-first, path: /deny-first/**, upstream: "${UPSTREAM}",
           deny: [{name: no-contractors, emailDomains: [contractors.example.com]}],
           allow: [{authenticated: true}]}
        - {id: mfa, path: /mfa/**, upstream: "${UPSTREAM}", allow: [{name: with-mfa, mfa: true}]}
        - {id: recent-mfa, path: /recent-mfa/**, upstream: "${UPSTREAM}", allow: [{name: recent, mfa: {maxAge: 15m}}]}
        - {id: acr, path: /acr/**, upstream: "${UPSTREAM}", allow: [{mfa: {acr: [urn:example:mfa]}}]}
        - {id: min-acr, path: /min-acr/**, upstream: "${UPSTREAM}", allow: [{mfa: {minAcr: silver}}]}
        - {id: tenants, path: "/tenants/{tenant}/**", upstream: "${UPSTREAM}",
           allow: [{name: own-tenant, permissions: [user_data], tenant: "{tenant}"}]}
        - {id: public, path: /public/**, upstream: "${UPSTREAM}", public: true}
      """;

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("language.yaml", POLICY).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  @AfterEach
  void drain() {
    upstream.drain();
  }

  static Map<String, Object> claims(Object... keyValues) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static Stream<Arguments> conditions() {
    return Stream.of(
        // path, subject, claims, expected status, expected reason
        Arguments.of("/all/x", "a", claims("groups", List.of("finance", "analysts")), 200, "allowed"),
        Arguments.of("/all/x", "b", claims("groups", List.of("finance")), 403, "permission-missing"),
        Arguments.of("/any/x", "a", claims("groups", List.of("analysts")), 200, "allowed"),
        Arguments.of("/any/x", "b", claims("groups", List.of("support")), 403, "permission-missing"),
        Arguments.of("/groups/x", "a", claims("groups", List.of("auditors")), 200, "allowed"),
        Arguments.of("/groups/x", "b", claims("groups", List.of("finance")), 403, "condition-unmet"),
        Arguments.of("/subjects/x", "svc-reporting", claims(), 200, "allowed"),
        Arguments.of("/subjects/x", "svc-other", claims(), 403, "condition-unmet"),
        Arguments.of("/emails/x", "a", claims("email", "CEO@example.com"), 200, "allowed"),
        Arguments.of("/emails/x", "b", claims("email", "ceo@example.com", "email_verified", false), 403, "condition-unmet"),
        Arguments.of("/domains/x", "a", claims("email", "dev@example.com"), 200, "allowed"),
        Arguments.of("/domains/x", "b", claims("email", "dev@example.com.evil.io"), 403, "condition-unmet"),
        Arguments.of("/claim-equals/x", "a", claims("department", "finance"), 200, "allowed"),
        Arguments.of("/claim-equals/x", "b", claims("department", "sales"), 403, "condition-unmet"),
        Arguments.of("/claim-contains/x", "a", claims("realm_access", Map.of("roles", List.of("auditor", "x"))), 200, "allowed"),
        Arguments.of("/claim-contains/x", "b", claims("realm_access", Map.of("roles", List.of("x"))), 403, "condition-unmet"),
        Arguments.of("/scope/x", "a", claims("scope", "openid reports:read"), 200, "allowed"),
        Arguments.of("/scope/x", "b", claims("scope", "openid reports:write"), 403, "condition-unmet"),
        Arguments.of("/deny-first/x", "a", claims("email", "dev@example.com"), 200, "allowed"),
        Arguments.of("/deny-first/x", "b", claims("email", "temp@contractors.example.com"), 403, "denied-by-rule"),
        Arguments.of("/mfa/x", "a", claims("amr", List.of("pwd", "otp")), 200, "allowed"),
        Arguments.of("/mfa/x", "b", claims("amr", List.of("pwd")), 401, "mfa-required"),
        Arguments.of("/recent-mfa/x", "a", claims("amr", List.of("hwk"), "auth_time", now() - 60), 200, "allowed"),
        Arguments.of("/recent-mfa/x", "b", claims("amr", List.of("hwk"), "auth_time", now() - 3600), 401, "mfa-required"),
        Arguments.of("/acr/x", "a", claims("acr", "urn:example:mfa"), 200, "allowed"),
        Arguments.of("/acr/x", "b", claims("acr", "urn:example:pwd", "amr", List.of("otp")), 401, "mfa-required"),
        Arguments.of("/min-acr/x", "a", claims("acr", "gold"), 200, "allowed"),
        Arguments.of("/min-acr/x", "b", claims("acr", "bronze"), 401, "mfa-required"),
        Arguments.of("/tenants/acme/x", "a", claims("groups", List.of("support"), "tenant", "acme"), 200, "allowed"),
        Arguments.of("/tenants/globex/x", "b", claims("groups", List.of("support"), "tenant", "acme"), 403, "tenant-mismatch"));
  }

  @ParameterizedTest(name = "{0} as {1} -> {3} {4}")
  @MethodSource("conditions")
  void eachConditionAllowsAndDenies(String path, String subject, Map<String, Object> claims, int status, String reason) {
    TestGateway.Response r = gateway.get(path, idp.token(subject, claims));

    assertThat(r.status()).as(r.body()).isEqualTo(status);
    if (status != 200) {
      assertThat(r.json().getString("reason")).isEqualTo(reason);
      assertThat(upstream.drain()).isEmpty();
    } else {
      assertThat(upstream.take().uri()).isEqualTo(path);
    }
  }

  @Test
  void methodsConditionAllowsReadsAndDeniesWrites() {
    String token = idp.token("a", claims());
    assertThat(gateway.get("/read-only/x", token).status()).isEqualTo(200);
    TestGateway.Response post = gateway.send(HttpMethod.POST, "/read-only/x", Map.of("Authorization", "Bearer " + token),
        Buffer.buffer("x"));
    assertThat(post.status()).isEqualTo(403);
    assertThat(post.json().getString("reason")).isEqualTo("condition-unmet");
  }

  @Test
  void routeMethodsSelectTheRouteAndOtherMethodsGet405() {
    String token = idp.token("a", claims());
    assertThat(gateway.send(HttpMethod.POST, "/route-methods/x", Map.of("Authorization", "Bearer " + token), Buffer.buffer("x"))
        .status()).isEqualTo(200);
    TestGateway.Response get = gateway.get("/route-methods/x", token);
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.json().getString("reason")).isEqualTo("method-not-allowed");
  }

  @Test
  void publicRoutesNeedNoToken() {
    assertThat(gateway.get("/public/x", null).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tenants/globex/users", "/tenants/acme/../globex/users", "/tenants/acme/%2e%2e/globex/users",
      "/tenants/./globex/users", "/tenants//globex/users", "/tenants/%67lobex/users", "/tenants/GLOBEX/users",
      "/tenants/Acme/users", "/tenants/acme%20/users", "/tenants/acme%00/users", "/tenants/acme%2Fglobex/users"})
  void acmeNeverReachesAnotherTenant(String path) {
    TestGateway.Response r = gateway.get(path, idp.token("alice", claims("groups", List.of("support"), "tenant", "acme")));

    assertThat(r.status()).isIn(400, 403, 404);
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void aCallerWithoutATenantClaimIsNeverBoundToATenant() {
    TestGateway.Response r = gateway.get("/tenants/acme/users", idp.token("x", claims("groups", List.of("support"))));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("reason")).isEqualTo("tenant-mismatch");
  }

  @Test
  void missingMfaGetsAnRfc9470StepUpChallenge() {
    TestGateway.Response r = gateway.get("/recent-mfa/x", idp.token("x", claims("amr", List.of("pwd"))));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse-test\", "
        + "error=\"insufficient_user_authentication\", "
        + "error_description=\"requires multi-factor authentication within the last 15m\", "
        + "acr_values=\"urn:example:mfa\", max_age=900");
    assertThat(r.json().getString("rule")).isEqualTo("recent");
  }

  @Test
  void staleMfaGetsTheChallengeAgainAndFreshMfaPasses() {
    String stale = idp.token("x", claims("amr", List.of("otp"), "auth_time", now() - 16 * 60));
    String fresh = idp.token("x", claims("amr", List.of("otp"), "auth_time", now() - 60));

    assertThat(gateway.get("/recent-mfa/x", stale).header("WWW-Authenticate")).contains("insufficient_user_authentication");
    assertThat(gateway.get("/recent-mfa/x", fresh).status()).isEqualTo(200);
  }

  @Test
  void aMinimumAcrChallengeAsksForTheAcceptableLevels() {
    TestGateway.Response r = gateway.get("/min-acr/x", idp.token("x", claims("acr", "bronze")));

    assertThat(r.header("WWW-Authenticate")).contains("acr_values=\"silver gold\"").doesNotContain("max_age");
  }
}

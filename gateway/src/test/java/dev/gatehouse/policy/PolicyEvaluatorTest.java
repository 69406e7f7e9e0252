package dev.gatehouse.policy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.AuthMethod;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.request.PathNormalizer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyEvaluatorTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final String UP = "http://127.0.0.1:8081";

  /** One route per condition type, plus routes for rule ordering, step-up and the special cases. */
  private static final CompiledPolicy POLICY = compile("""
      mfa:
        acr: [urn:example:mfa]
        acrLevels: [bronze, silver, gold]
      permissions:
        billing: [finance]
        reports: [analysts]
        admin: [admins]
      routes:
        - {id: all-permissions, path: /all-permissions/**, upstream: UP,
           allow: [{name: billing-and-reports, permissions: [billing, reports]}]}
        - {id: any-permission, path: /any-permission/**, upstream: UP,
           allow: [{name: billing-or-reports, anyPermission: [billing, reports]}]}
        - {id: groups, path: /groups/**, upstream: UP,
           allow: [{name: ops, groups: [ops, sre]}]}
        - {id: subjects, path: /subjects/**, upstream: UP,
           allow: [{name: alice-only, subjects: [alice]}]}
        - {id: emails, path: /emails/**, upstream: UP,
           allow: [{name: listed, emails: [Alice@Example.com]}]}
        - {id: email-domains, path: /email-domains/**, upstream: UP,
           allow: [{name: staff, emailDomains: [example.com]}]}
        - {id: claim-equals, path: /claim-equals/**, upstream: UP,
           allow: [{name: finance-department, claims: {department: {equals: finance}}}]}
        - {id: claim-nested, path: /claim-nested/**, upstream: UP,
           allow: [{name: level-3, claims: {org.level: {equals: 3}}}]}
        - {id: claim-contains, path: /claim-contains/**, upstream: UP,
           allow: [{name: auditors, claims: {realm_access.roles: {contains: auditor}}}]}
        - {id: scope, path: /scope/**, upstream: UP,
           allow: [{name: invoice-readers, claims: {scope: {contains: "invoices:read"}}}]}
        - {id: methods, path: /methods/**, upstream: UP,
           allow: [{name: read-only, methods: [GET, HEAD]}]}
        - {id: mfa-amr, path: /mfa-amr/**, upstream: UP,
           allow: [{name: any-mfa, mfa: true}]}
        - {id: mfa-acr, path: /mfa-acr/**, upstream: UP,
           allow: [{name: strong-acr, mfa: {amr: [], acr: [urn:example:strong]}}]}
        - {id: mfa-min-acr, path: /mfa-min-acr/**, upstream: UP,
           allow: [{name: silver-or-better, mfa: {minAcr: silver}}]}
        - {id: mfa-max-age, path: /mfa-max-age/**, upstream: UP,
           allow: [{name: recent, mfa: {maxAge: 15m}}]}
        - {id: tenants, path: "/tenants/{tenant}/**", upstream: UP,
           allow: [{name: own-tenant, tenant: "{tenant}"}]}
        - {id: deny-wins, path: /deny-wins/**, upstream: UP,
           deny: [{name: no-contractors, groups: [contractors]}],
           allow: [{name: finance, permissions: [billing]}]}
        - {id: step-up, path: /step-up/**, upstream: UP,
           allow: [{name: admins-recent-strong, permissions: [admin], mfa: {acr: [urn:example:strong], maxAge: 10m}}]}
        - {id: first-reason, path: /first-reason/**, upstream: UP,
           allow: [{name: admins, permissions: [admin]}, {name: ops, groups: [ops]}]}
        - {id: later-step-up, path: /later-step-up/**, upstream: UP,
           allow: [{name: admins, permissions: [admin]}, {name: ops-with-mfa, groups: [ops], mfa: true}]}
        - {id: tenant-mfa, path: "/tenant-mfa/{tenant}/**", upstream: UP,
           allow: [{name: own-tenant-mfa, mfa: true, tenant: "{tenant}"}]}
        - {id: public, path: /public/**, upstream: UP, public: true}
        - {id: nobody, path: /nobody/**, upstream: UP}
      """.replace("UP", UP));

  static CompiledPolicy compile(String yaml) {
    try {
      return PolicyCompiler.compile(
          List.of(PolicyFile.of(Path.of("policies/x.yaml"), "x.yaml", yaml.getBytes(UTF_8))), NOW);
    } catch (dev.gatehouse.config.ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static Decision decide(String method, String path, Identity identity) {
    RouteTable.Lookup lookup = POLICY.routes().find("app.example.com", path, method);
    assertThat(lookup.match()).as("route for %s", path).isNotNull();
    return PolicyEvaluator.evaluate(POLICY, lookup.match(), identity, method, NOW);
  }

  /** A verified caller, built directly. */
  static final class Who {
    private String subject = "alice";
    private String email;
    private Set<String> groups = Set.of();
    private String tenant;
    private List<String> amr = List.of("pwd");
    private String acr;
    private Instant authTime;
    private final Map<String, Object> claims = new LinkedHashMap<>();

    static Who sub(String subject) {
      Who w = new Who();
      w.subject = subject;
      return w;
    }

    static Who groups(String... groups) {
      return sub("alice").inGroups(groups);
    }

    Who inGroups(String... g) {
      groups = Set.of(g);
      return this;
    }

    Who email(String e) {
      email = e;
      return this;
    }

    Who tenant(String t) {
      tenant = t;
      return this;
    }

    Who amr(String... a) {
      amr = List.of(a);
      return this;
    }

    Who acr(String a) {
      acr = a;
      return this;
    }

    Who authenticatedAgo(Duration d) {
      authTime = NOW.minus(d);
      return this;
    }

    Who claim(String name, Object value) {
      claims.put(name, value);
      return this;
    }

    Identity build() {
      Map<String, Object> all = new LinkedHashMap<>(claims);
      all.put("sub", subject);
      return new Identity(subject, "https://idp.example.com", email, groups, tenant, amr, acr, authTime,
          NOW.plusSeconds(300), AuthMethod.BEARER, all);
    }

    @Override
    public String toString() {
      return "sub=" + subject + (email == null ? "" : " email=" + email) + (groups.isEmpty() ? "" : " groups=" + groups)
          + (tenant == null ? "" : " tenant=" + tenant) + " amr=" + amr + (acr == null ? "" : " acr=" + acr)
          + (authTime == null ? "" : " auth_time=" + authTime) + (claims.isEmpty() ? "" : " " + claims);
    }
  }

  static Arguments allow(String path, Who who, String rule) {
    return Arguments.of("GET", path, who, Decision.Outcome.ALLOW, Reason.ALLOWED, rule, "allowed by rule " + rule, null);
  }

  static Arguments deny(String path, Who who, Reason reason, String rule, String detail) {
    return Arguments.of("GET", path, who, Decision.Outcome.DENY, reason, rule, detail, null);
  }

  static Arguments stepUp(String path, Who who, String rule, String detail, StepUp stepUp) {
    return Arguments.of("GET", path, who, Decision.Outcome.STEP_UP, Reason.MFA_REQUIRED, rule, detail, stepUp);
  }

  static Stream<Arguments> cases() {
    String mfa = "requires multi-factor authentication";
    return Stream.of(
        // permissions: every listed permission, granted through groups
        allow("/all-permissions/x", Who.groups("finance", "analysts"), "billing-and-reports"),
        deny("/all-permissions/x", Who.groups("finance"), Reason.PERMISSION_MISSING, "billing-and-reports",
            "requires permission [billing, reports]"),
        deny("/all-permissions/x", Who.groups("billing", "reports"), Reason.PERMISSION_MISSING, "billing-and-reports",
            "requires permission [billing, reports]"),
        // anyPermission
        allow("/any-permission/x", Who.groups("analysts"), "billing-or-reports"),
        deny("/any-permission/x", Who.groups("ops"), Reason.PERMISSION_MISSING, "billing-or-reports",
            "requires one of the permissions [billing, reports]"),
        // groups
        allow("/groups/x", Who.groups("sre"), "ops"),
        deny("/groups/x", Who.groups("finance", "OPS"), Reason.CONDITION_UNMET, "ops",
            "requires membership of one of the groups [ops, sre]"),
        // subjects
        allow("/subjects/x", Who.sub("alice"), "alice-only"),
        deny("/subjects/x", Who.sub("bob"), Reason.CONDITION_UNMET, "alice-only", "restricted to listed subjects"),
        // emails: compared case-insensitively, only when not marked unverified
        allow("/emails/x", Who.sub("u1").email("alice@example.COM"), "listed"),
        allow("/emails/x", Who.sub("u1").email("alice@example.com").claim("email_verified", true), "listed"),
        deny("/emails/x", Who.sub("u1").email("bob@example.com"), Reason.CONDITION_UNMET, "listed",
            "restricted to listed email addresses"),
        deny("/emails/x", Who.sub("u1").email("alice@example.com").claim("email_verified", false),
            Reason.CONDITION_UNMET, "listed", "restricted to listed email addresses"),
        deny("/emails/x", Who.sub("u1"), Reason.CONDITION_UNMET, "listed", "restricted to listed email addresses"),
        // emailDomains: the exact domain after the last '@'
        allow("/email-domains/x", Who.sub("u1").email("bob@EXAMPLE.com"), "staff"),
        deny("/email-domains/x", Who.sub("u1").email("bob@example.com.evil.org"), Reason.CONDITION_UNMET, "staff",
            "restricted to email domains [example.com]"),
        deny("/email-domains/x", Who.sub("u1").email("bob@sub.example.com"), Reason.CONDITION_UNMET, "staff",
            "restricted to email domains [example.com]"),
        deny("/email-domains/x", Who.sub("u1").email("evil@example.com").claim("email_verified", false),
            Reason.CONDITION_UNMET, "staff", "restricted to email domains [example.com]"),
        // claims: equals
        allow("/claim-equals/x", Who.sub("u1").claim("department", "finance"), "finance-department"),
        deny("/claim-equals/x", Who.sub("u1").claim("department", "sales"), Reason.CONDITION_UNMET,
            "finance-department", "requires claim department = finance"),
        deny("/claim-equals/x", Who.sub("u1").claim("department", List.of("finance")), Reason.CONDITION_UNMET,
            "finance-department", "requires claim department = finance"),
        deny("/claim-equals/x", Who.sub("u1"), Reason.CONDITION_UNMET, "finance-department",
            "requires claim department = finance"),
        // claims: nested path, numbers compared by value
        allow("/claim-nested/x", Who.sub("u1").claim("org", Map.of("level", 3)), "level-3"),
        allow("/claim-nested/x", Who.sub("u1").claim("org", Map.of("level", 3.0)), "level-3"),
        deny("/claim-nested/x", Who.sub("u1").claim("org", Map.of("level", "3")), Reason.CONDITION_UNMET, "level-3",
            "requires claim org.level = 3"),
        deny("/claim-nested/x", Who.sub("u1").claim("org", Map.of("level", 4L)), Reason.CONDITION_UNMET, "level-3",
            "requires claim org.level = 3"),
        deny("/claim-nested/x", Who.sub("u1").claim("org.level", 3), Reason.CONDITION_UNMET, "level-3",
            "requires claim org.level = 3"),
        // claims: contains
        allow("/claim-contains/x", Who.sub("u1").claim("realm_access", Map.of("roles", List.of("user", "auditor"))),
            "auditors"),
        allow("/claim-contains/x", Who.sub("u1").claim("realm_access", Map.of("roles", "auditor")), "auditors"),
        deny("/claim-contains/x", Who.sub("u1").claim("realm_access", Map.of("roles", List.of("user"))),
            Reason.CONDITION_UNMET, "auditors", "requires claim realm_access.roles to contain auditor"),
        deny("/claim-contains/x", Who.sub("u1").claim("realm_access", Map.of("roles", "user auditor")),
            Reason.CONDITION_UNMET, "auditors", "requires claim realm_access.roles to contain auditor"),
        // claims: contains on the space-separated scope claim
        allow("/scope/x", Who.sub("u1").claim("scope", "openid invoices:read profile"), "invoice-readers"),
        allow("/scope/x", Who.sub("u1").claim("scope", List.of("invoices:read")), "invoice-readers"),
        deny("/scope/x", Who.sub("u1").claim("scope", "openid invoices:readwrite"), Reason.CONDITION_UNMET,
            "invoice-readers", "requires claim scope to contain invoices:read"),
        // mfa: by amr, or by the policy-wide acr
        allow("/mfa-amr/x", Who.sub("u1").amr("pwd", "otp"), "any-mfa"),
        allow("/mfa-amr/x", Who.sub("u1").amr("pwd").acr("urn:example:mfa"), "any-mfa"),
        stepUp("/mfa-amr/x", Who.sub("u1").amr("pwd"), "any-mfa", mfa, new StepUp(List.of("urn:example:mfa"), null)),
        // mfa: by a rule's own acr list (no amr accepted)
        allow("/mfa-acr/x", Who.sub("u1").acr("urn:example:strong"), "strong-acr"),
        stepUp("/mfa-acr/x", Who.sub("u1").amr("pwd", "otp").acr("urn:example:mfa"), "strong-acr", mfa,
            new StepUp(List.of("urn:example:strong"), null)),
        // mfa: by minimum acr level
        allow("/mfa-min-acr/x", Who.sub("u1").acr("gold"), "silver-or-better"),
        allow("/mfa-min-acr/x", Who.sub("u1").acr("silver"), "silver-or-better"),
        stepUp("/mfa-min-acr/x", Who.sub("u1").acr("bronze"), "silver-or-better", mfa,
            new StepUp(List.of("silver", "gold"), null)),
        stepUp("/mfa-min-acr/x", Who.sub("u1").amr("pwd", "otp"), "silver-or-better", mfa,
            new StepUp(List.of("silver", "gold"), null)),
        // mfa: maxAge against auth_time
        allow("/mfa-max-age/x", Who.sub("u1").amr("otp").authenticatedAgo(Duration.ofMinutes(10)), "recent"),
        allow("/mfa-max-age/x", Who.sub("u1").amr("otp").authenticatedAgo(Duration.ofMinutes(15)), "recent"),
        stepUp("/mfa-max-age/x", Who.sub("u1").amr("otp").authenticatedAgo(Duration.ofMinutes(15).plusSeconds(1)),
            "recent", mfa + " within the last 15m", new StepUp(List.of("urn:example:mfa"), Duration.ofMinutes(15))),
        stepUp("/mfa-max-age/x", Who.sub("u1").amr("otp"), "recent", mfa + " within the last 15m",
            new StepUp(List.of("urn:example:mfa"), Duration.ofMinutes(15))),
        stepUp("/mfa-max-age/x", Who.sub("u1").amr("pwd").authenticatedAgo(Duration.ofMinutes(1)), "recent",
            mfa + " within the last 15m", new StepUp(List.of("urn:example:mfa"), Duration.ofMinutes(15))),
        // tenant binding: exact, and a caller without a tenant never matches
        allow("/tenants/acme/users", Who.sub("u1").tenant("acme"), "own-tenant"),
        deny("/tenants/globex/users", Who.sub("u1").tenant("acme"), Reason.TENANT_MISMATCH, "own-tenant",
            "the tenant in the path is not the caller's tenant"),
        deny("/tenants/ACME/users", Who.sub("u1").tenant("acme"), Reason.TENANT_MISMATCH, "own-tenant",
            "the tenant in the path is not the caller's tenant"),
        deny("/tenants/acme/users", Who.sub("u1"), Reason.TENANT_MISMATCH, "own-tenant",
            "the tenant in the path is not the caller's tenant"),
        // deny rules win over allow rules
        allow("/deny-wins/x", Who.groups("finance"), "finance"),
        deny("/deny-wins/x", Who.groups("finance", "contractors"), Reason.DENIED_BY_RULE, "no-contractors",
            "denied by rule no-contractors"),
        // a request failing only MFA is asked to step up; failing anything else as well, it is denied
        allow("/step-up/x", Who.groups("admins").acr("urn:example:strong").authenticatedAgo(Duration.ofMinutes(5)),
            "admins-recent-strong"),
        stepUp("/step-up/x", Who.groups("admins").amr("pwd"), "admins-recent-strong", mfa + " within the last 10m",
            new StepUp(List.of("urn:example:strong"), Duration.ofMinutes(10))),
        stepUp("/step-up/x", Who.groups("admins").acr("urn:example:strong").authenticatedAgo(Duration.ofHours(1)),
            "admins-recent-strong", mfa + " within the last 10m",
            new StepUp(List.of("urn:example:strong"), Duration.ofMinutes(10))),
        deny("/step-up/x", Who.groups("finance").amr("pwd"), Reason.PERMISSION_MISSING, "admins-recent-strong",
            "requires permission [admin]"),
        // the first failing allow rule's reason is reported
        allow("/first-reason/x", Who.groups("ops"), "ops"),
        deny("/first-reason/x", Who.groups("finance"), Reason.PERMISSION_MISSING, "admins", "requires permission [admin]"),
        // ...unless a later rule fails only for MFA
        stepUp("/later-step-up/x", Who.groups("ops").amr("pwd"), "ops-with-mfa", mfa,
            new StepUp(List.of("urn:example:mfa"), null)),
        deny("/later-step-up/x", Who.groups("finance").amr("pwd"), Reason.PERMISSION_MISSING, "admins",
            "requires permission [admin]"),
        // stepping up would not help a caller who also fails a condition listed after the MFA one
        deny("/tenant-mfa/globex/x", Who.sub("u1").tenant("acme").amr("pwd"), Reason.TENANT_MISMATCH,
            "own-tenant-mfa", "the tenant in the path is not the caller's tenant"),
        stepUp("/tenant-mfa/acme/x", Who.sub("u1").tenant("acme").amr("pwd"), "own-tenant-mfa", mfa,
            new StepUp(List.of("urn:example:mfa"), null)),
        // a route without allow rules allows nobody
        deny("/nobody/x", Who.groups("admins", "finance"), Reason.NO_RULE_MATCHED, null, "this route allows nobody"));
  }

  @ParameterizedTest(name = "{0} {1} as {2} -> {3} {4}")
  @MethodSource("cases")
  void decidesAsTheRulesSay(String method, String path, Who who, Decision.Outcome outcome, Reason reason, String rule, String detail,
      StepUp stepUp) {
    Decision decision = decide(method, path, who.build());

    assertThat(decision.outcome()).isEqualTo(outcome);
    assertThat(decision.reason()).isEqualTo(reason);
    assertThat(decision.rule()).isEqualTo(rule);
    assertThat(decision.detail()).isEqualTo(detail);
    assertThat(decision.stepUp()).isEqualTo(stepUp);
    assertThat(decision.allowed()).isEqualTo(outcome == Decision.Outcome.ALLOW);
    assertThat(decision.routeId()).isEqualTo(path.split("/")[1]);
  }

  @Test
  void methodConditionAllowsListedMethod() {
    assertThat(decide("HEAD", "/methods/x", Who.sub("u1").build()).outcome()).isEqualTo(Decision.Outcome.ALLOW);
  }

  @Test
  void methodConditionDeniesOtherMethod() {
    Decision decision = decide("POST", "/methods/x", Who.sub("u1").build());

    assertThat(decision.outcome()).isEqualTo(Decision.Outcome.DENY);
    assertThat(decision.reason()).isEqualTo(Reason.CONDITION_UNMET);
    assertThat(decision.detail()).isEqualTo("method not allowed by this rule");
  }

  @Test
  void allowReportsThePermissionsTheRuleUsed() {
    Decision decision = decide("GET", "/all-permissions/x", Who.groups("finance", "analysts").build());

    assertThat(decision.permissionsUsed()).containsExactlyInAnyOrder("billing", "reports");
  }

  @Test
  void publicRouteAllowsWithoutIdentity() {
    Decision decision = decide("POST", "/public/x", null);

    assertThat(decision).isEqualTo(new Decision(Decision.Outcome.ALLOW, Reason.PUBLIC_ROUTE, "public", null,
        "public route", null, Set.of()));
  }

  @Test
  void refusesToJudgeNonPublicRouteWithoutIdentity() {
    assertThatThrownBy(() -> decide("GET", "/all-permissions/x", null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void examplePoliciesPassTheirOwnTestCases() throws Exception {
    CompiledPolicy policy = PolicyCompiler.compile(PolicyDirectory.read(Path.of("..", "policies")), NOW);

    assertThat(policy.tests()).hasSize(20);
    assertThat(PolicyTests.run(policy, NOW)).isEmpty();
  }
}

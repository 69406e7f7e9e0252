package dev.gatehouse.policy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigProblem;
import dev.gatehouse.identity.IdentityAttribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every expected error string below was checked by hand against the YAML text: lines count from the first line of
 * the text block, columns from 1, and a problem points at the value (or, for key-level problems, the key).
 */
class PolicyCompilerTest {

  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  static PolicyFile file(String name, String yaml) {
    return PolicyFile.of(Path.of("policies/" + name), name, yaml.getBytes(UTF_8));
  }

  static CompiledPolicy compile(PolicyFile... files) throws ConfigException {
    return PolicyCompiler.compile(List.of(files), NOW);
  }

  static List<String> errors(PolicyFile... files) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> compile(files));
    assertThat(e).as("the policy should have been refused").isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }

  static List<String> errors(String yaml) {
    return errors(file("x.yaml", yaml));
  }

  @Test
  void reportsUnknownTopLevelKey() {
    assertThat(errors("""
        routs:
          - id: a
        """)).containsExactly(
        "policies/x.yaml:1:1: /routs: unknown key 'routs' (expected one of: permissions, mfa, routes, tests)");
  }

  @Test
  void reportsUnknownKeyInRoute() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            public: true
            timeout: 5s
        """)).containsExactly(
        "policies/x.yaml:6:5: /routes/0/timeout: unknown key 'timeout' (expected one of: id, host, path, methods, "
            + "upstream, public, passToken, headers, identityHeaders, audience, maxBodySize, rateLimit, deny, allow)");
  }

  @Test
  void reportsUnknownKeyInRule() {
    assertThat(errors("""
        permissions:
          billing: [finance]
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            allow:
              - name: r
                permission: [billing]
        """)).as("the typo is the one mistake; no cascading 'no conditions' error").containsExactly(
        "policies/x.yaml:9:9: /routes/0/allow/0/permission: unknown key 'permission' (expected one of: name, "
            + "authenticated, permissions, anyPermission, groups, subjects, emails, emailDomains, claims, methods, mfa, "
            + "tenant)");
  }

  @Test
  void reportsListWhereStringIsExpected() {
    assertThat(errors("""
        routes:
          - id: a
            path: [/a]
            upstream: http://127.0.0.1:8081
            public: true
        """)).containsExactly("policies/x.yaml:3:11: /routes/0/path: expected a string, found a list");
  }

  @Test
  void reportsWrongScalarType() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            public: "yes"
        """)).containsExactly("policies/x.yaml:5:13: /routes/0/public: expected true or false, found a string 'yes'");
  }

  @Test
  void reportsUnknownPermission() {
    assertThat(errors("""
        permissions:
          billing: [finance]
          admin: [admins]
        routes:
          - id: a
            path: /a/**
            upstream: http://127.0.0.1:8081
            allow:
              - name: r
                groups: [ops]
                permissions: [biling]
        """)).containsExactly(
        "policies/x.yaml:11:23: /routes/0/allow/0/permissions/0: unknown permission 'biling' (defined: [admin, billing])");
  }

  @Test
  void reportsInvalidPathPatterns() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a/**/b
            upstream: http://127.0.0.1:8081
            public: true
          - id: b
            path: /a{b}
            upstream: http://127.0.0.1:8081
            public: true
        """)).containsExactly(
        "policies/x.yaml:3:11: /routes/0/path: '/a/**/b': '**' may only be the last segment",
        "policies/x.yaml:7:11: /routes/1/path: '/a{b}': segment 'a{b}' mixes text with '{', '}' or '*' "
            + "(expected: a whole-segment {name}, * or **)");
  }

  @Test
  void reportsDuplicateRouteIdAcrossFiles() {
    PolicyFile a = file("a.yaml", """
        routes:
          - id: billing
            path: /billing/**
            upstream: http://127.0.0.1:8081
            public: true
        """);
    PolicyFile b = file("b.yaml", """
        # the same id again
        routes:
          - id: billing
            path: /invoices/**
            upstream: http://127.0.0.1:8081
            public: true
        """);

    assertThat(errors(a, b)).containsExactly(
        "policies/b.yaml:3:5: /routes/0/id: duplicate route id 'billing' (first defined at a.yaml:2)");
  }

  @Test
  void reportsDuplicateMatcher() {
    assertThat(errors("""
        routes:
          - id: first
            host: app.example.com
            path: /a/{x}
            methods: [GET, POST]
            upstream: http://127.0.0.1:8081
            public: true
          - id: second
            host: APP.example.com
            path: /a/*/
            methods: [post]
            upstream: http://127.0.0.1:8081
            public: true
        """)).containsExactly(
        "policies/x.yaml:10:5: /routes/1/path: route 'second' has the same host, path and methods as route 'first' "
            + "(x.yaml:2)");
  }

  @Test
  void reportsUndefinedPathVariableInTenantBinding() {
    assertThat(errors("""
        permissions:
          support: [support]
        routes:
          - id: t
            path: /t/{org}/**
            upstream: http://127.0.0.1:8081
            allow:
              - name: own
                permissions: [support]
                tenant: "{tenant}"
              - name: literal
                permissions: [support]
                tenant: tenant
        """)).containsExactly(
        "policies/x.yaml:10:17: /routes/0/allow/0/tenant: path variable {tenant} is not defined by the route's path "
            + "'/t/{org}/**'",
        "policies/x.yaml:13:17: /routes/0/allow/1/tenant: 'tenant' (expected: a path variable such as \"{tenant}\")");
  }

  @Test
  void reportsRuleWithoutConditions() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            allow:
              - name: everyone
        """)).containsExactly(
        "policies/x.yaml:6:9: /routes/0/allow/0: rule 'everyone' has no conditions (write 'authenticated: true' to "
            + "match every signed-in caller)");
  }

  @Test
  void reportsMfaInDenyRule() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            deny:
              - name: contractors-without-mfa
                groups: [contractors]
                mfa: true
            allow:
              - authenticated: true
        """)).containsExactly(
        "policies/x.yaml:8:9: /routes/0/deny/0/mfa: mfa is a requirement; it belongs in allow rules, not deny rules");
  }

  @Test
  void reportsPublicRouteWithAllowRules() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            public: true
            allow:
              - name: x
                authenticated: true
        """)).containsExactly(
        "policies/x.yaml:5:5: /routes/0/public: a public route takes no allow or deny rules (anyone may pass)");
  }

  @Test
  void reportsInvalidUpstreamUrls() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081/api
            public: true
          - id: b
            path: /b
            upstream: ftp://files.example.com
            public: true
          - id: c
            path: /c
            upstream: http://user:pw@app.internal:8080
            public: true
        """)).containsExactly(
        "policies/x.yaml:4:15: /routes/0/upstream: 'http://127.0.0.1:8081/api' has a path; the request path is "
            + "forwarded unchanged, so give only scheme, host and port",
        "policies/x.yaml:8:15: /routes/1/upstream: 'ftp://files.example.com' (expected: an http:// or https:// URL)",
        "policies/x.yaml:12:15: /routes/2/upstream: 'http://user:pw@app.internal:8080' must not contain user info, a "
            + "query or a fragment");
  }

  @Test
  void reportsInvalidMethod() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            methods: [GET, FETCH]
            upstream: http://127.0.0.1:8081
            public: true
        """)).containsExactly(
        "policies/x.yaml:4:14: /routes/0/methods: 'FETCH' is not an HTTP method (expected one of: [CONNECT, DELETE, "
            + "GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE])");
  }

  @Test
  void reportsDuplicateYamlKey() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            path: /b
            public: true
        """)).containsExactly("policies/x.yaml:5:5: /routes/0/path: duplicate key 'path' (first defined at line 3)");
  }

  @Test
  void reportsYamlSyntaxErrorWithItsCauseAndPlace() {
    assertThat(errors("""
        routes:
          - id: a
            methods: [GET, POST
            path: /a
        """)).containsExactly(
        "policies/x.yaml:4:9: invalid YAML: while parsing a flow sequence: expected ',' or ']', but got :");
  }

  @Test
  void reportsTabIndentationOnTheLineWhereItIs() {
    assertThat(errors("routes:\n\t- id: a\n")).containsExactly(
        "policies/x.yaml:2:1: invalid YAML: while scanning for the next token: found character '\\t(TAB)' that "
            + "cannot start any token. (Do not use \\t(TAB) for indentation)");
  }

  @Test
  void reportsBadMfaMaxAge() {
    assertThat(errors("""
        permissions:
          admin: [admins]
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            allow:
              - name: recent
                permissions: [admin]
                mfa: {maxAge: 5 minutes}
              - name: zero
                permissions: [admin]
                mfa:
                  maxAge: 0s
        """)).containsExactly(
        "policies/x.yaml:10:23: /routes/0/allow/0/mfa/maxAge: '5 minutes' is not a duration (expected: e.g. 500ms, "
            + "30s, 5m, 1h or PT30S)",
        "policies/x.yaml:14:19: /routes/0/allow/1/mfa/maxAge: 0s (expected: 1s..30d)");
  }

  @Test
  void reportsOverlongMaxAgeInsteadOfThrowing() {
    assertThat(errors("""
        permissions:
          admin: [admins]
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            allow:
              - permissions: [admin]
                mfa: {maxAge: 99999999999999999999s}
        """)).containsExactly(
        "policies/x.yaml:9:23: /routes/0/allow/0/mfa/maxAge: '99999999999999999999s' is not a duration (expected: "
            + "e.g. 500ms, 30s, 5m, 1h or PT30S)");
  }

  @Test
  void reportsMinAcrOutsideAcrLevels() {
    assertThat(errors("""
        mfa:
          acrLevels: [bronze, silver]
        permissions:
          admin: [admins]
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            allow:
              - name: strong
                permissions: [admin]
                mfa:
                  minAcr: gold
        """)).containsExactly(
        "policies/x.yaml:13:19: /routes/0/allow/0/mfa/minAcr: 'gold' is not one of the acrLevels in the mfa settings "
            + "[bronze, silver]");
  }

  @Test
  void reportsDuplicatePermissionAcrossFiles() {
    PolicyFile a = file("a.yaml", """
        permissions:
          billing: [finance]
        """);
    PolicyFile b = file("b.yaml", """
        permissions:
          billing: [accounting]
        """);

    assertThat(errors(a, b)).containsExactly(
        "policies/b.yaml:2:12: /permissions/billing: permission 'billing' is already defined at a.yaml:2");
  }

  @Test
  void reportsMfaSettingsDefinedTwice() {
    PolicyFile a = file("a.yaml", """
        mfa:
          amr: [otp]
        """);
    PolicyFile b = file("b.yaml", """
        mfa: {amr: [hwk]}
        """);

    assertThat(errors(a, b)).containsExactly(
        "policies/b.yaml:1:6: /mfa: mfa settings are already defined at a.yaml:2 (expected: at most once)");
  }

  @Test
  void reportsEveryMistakeOfOneCompileInFileAndLineOrder() {
    PolicyFile a = file("a.yaml", """
        permissions:
          billing: [finance]
        routes:
          - id: a
            path: /a/**
            methods: [GET, FETCH]
            upstream: ftp://files.example.com
            allow:
              - name: r
                permissions: [biling]
                groups: [ops]
        colour: blue
        """);
    PolicyFile b = file("b.yaml", """
        routes:
          - id: b
            path: /b
            path: /c
        """);
    PolicyFile c = file("c.yaml", """
        routes:
          - id: c
            path: /a/**
            upstream: http://127.0.0.1:8081
            allow:
              - name: nobody
          - id: z
            path: /z
            upstream: http://127.0.0.1:8081
            public: true
        """);

    assertThat(errors(a, b, c)).containsExactly(
        "policies/a.yaml:6:14: /routes/0/methods: 'FETCH' is not an HTTP method (expected one of: [CONNECT, DELETE, "
            + "GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE])",
        "policies/a.yaml:7:15: /routes/0/upstream: 'ftp://files.example.com' (expected: an http:// or https:// URL)",
        "policies/a.yaml:10:23: /routes/0/allow/0/permissions/0: unknown permission 'biling' (defined: [billing])",
        "policies/a.yaml:12:1: /colour: unknown key 'colour' (expected one of: permissions, mfa, routes, tests)",
        "policies/b.yaml:4:5: /routes/0/path: duplicate key 'path' (first defined at line 3)",
        "policies/c.yaml:6:9: /routes/0/allow/0: rule 'nobody' has no conditions (write 'authenticated: true' to "
            + "match every signed-in caller)");
  }

  @Test
  void compilesTheExamplePolicies() throws Exception {
    Path dir = Path.of("..", "policies");
    assertThat(dir).isDirectory();
    List<PolicyFile> files = PolicyDirectory.read(dir);

    CompiledPolicy policy = PolicyCompiler.compile(files, NOW);

    assertThat(files).extracting(PolicyFile::name).containsExactly(
        "billing.yaml", "home.yaml", "messages.yaml", "permissions.yaml", "public.yaml", "settings.yaml", "users.yaml");
    assertThat(policy.routesById().keySet()).containsExactlyInAnyOrder(
        "billing", "home", "messages-manual", "messages-auto", "messages", "public", "settings", "admin", "users",
        "tenant-data");
    assertThat(policy.routes().size()).isEqualTo(10);
    assertThat(policy.permissions().descriptions().keySet()).containsExactlyInAnyOrder(
        "billing", "user_data", "messages.manual", "messages.auto", "app_settings", "admin");
    assertThat(policy.permissions().grantedTo(Set.of("messaging"))).containsExactlyInAnyOrder(
        "messages.manual", "messages.auto");
    assertThat(policy.tests()).hasSize(20);
    assertThat(policy.version()).hasSize(12).isEqualTo(PolicyCompiler.compile(PolicyDirectory.read(dir), NOW).version());
    assertThat(policy.routes().find("localhost", "/tenants/acme/users", "GET").match().variable("tenant"))
        .isEqualTo("acme");
  }

  @Test
  void compilesRouteWithEveryOption() throws Exception {
    CompiledPolicy policy = compile(file("x.yaml", """
        mfa:
          acr: [urn:mfa]
          acrLevels: [bronze, silver, gold]
        permissions:
          billing:
            description: Invoices
            grantedTo: [finance, Finance-Admins]
        routes:
          - id: api.billing_v2
            host: [api.example.com, "*.billing.example.com"]
            path: /v2/{tenant}/invoices/**
            methods: [get, HEAD]
            upstream: https://billing.internal:9443/
            passToken: true
            headers:
              X-Api-Version: "2"
            identityHeaders: [user, groups]
            audience: billing-api
            deny:
              - name: no-contractors
                groups: [contractors]
            allow:
              - name: finance
                permissions: [billing]
                tenant: "{tenant}"
                mfa: {minAcr: silver, maxAge: 30m}
        """));

    Route route = policy.routesById().get("api.billing_v2");
    assertThat(route.hosts()).extracting(HostPattern::toString).containsExactly("api.example.com", "*.billing.example.com");
    assertThat(route.path().toString()).isEqualTo("/v2/{tenant}/invoices/**");
    assertThat(route.methods()).containsExactlyInAnyOrder("GET", "HEAD");
    assertThat(route.upstream()).isEqualTo(new Upstream(true, "billing.internal", 9443, "https://billing.internal:9443/"));
    assertThat(route.options()).isEqualTo(new RouteOptions(true, java.util.Map.of("X-Api-Version", "2"),
        Set.of(IdentityAttribute.USER, IdentityAttribute.GROUPS), "billing-api"));
    assertThat(route.isPublic()).isFalse();
    assertThat(route.declaredAt()).isEqualTo("x.yaml:9");
    assertThat(route.denyRules()).extracting(Rule::name).containsExactly("no-contractors");
    Rule allow = route.allowRules().get(0);
    assertThat(allow.permissionsUsed()).containsExactly("billing");
    assertThat(allow.declaredAt()).isEqualTo("x.yaml:23");
    assertThat(allow.conditions()).extracting(Condition::describe).containsExactly(
        "permissions: [billing]", "mfa: {minAcr: silver, maxAge: 30m}", "tenant: \"{tenant}\"");
    assertThat(policy.mfa()).isEqualTo(new MfaSettings(MfaSettings.DEFAULT_AMR, List.of("urn:mfa"),
        List.of("bronze", "silver", "gold")));
    assertThat(policy.permissions().grantedTo(Set.of("Finance-Admins"))).containsExactly("billing");
  }

  @Test
  void refusesRoutesUnderTheGatewaysReservedPrefix() {
    assertThat(errors("""
        routes:
          - id: a
            path: /.gatehouse/**
            upstream: http://127.0.0.1:8081
            public: true
          - id: b
            path: /.GateHouse/jwks.json
            upstream: http://127.0.0.1:8081
            public: true
          - id: c
            path: /.gatehouse
            upstream: http://127.0.0.1:8081
            public: true
        """)).containsExactly(
        "policies/x.yaml:3:11: /routes/0/path: '/.gatehouse/**' is under /.gatehouse/, which the gateway reserves for "
            + "its own endpoints",
        "policies/x.yaml:7:11: /routes/1/path: '/.GateHouse/jwks.json' is under /.gatehouse/, which the gateway "
            + "reserves for its own endpoints",
        "policies/x.yaml:11:11: /routes/2/path: '/.gatehouse' is under /.gatehouse/, which the gateway reserves for "
            + "its own endpoints");
  }

  @Test
  void allowsCatchAllRoutesThatTheReservedPrefixShadows() throws Exception {
    CompiledPolicy policy = compile(file("x.yaml", """
        routes:
          - id: all
            path: /**
            upstream: http://127.0.0.1:8081
            public: true
          - id: per-tenant
            path: /{tenant}/**
            upstream: http://127.0.0.1:8081
            public: true
          - id: dotted
            path: /.gatehouse-docs/**
            upstream: http://127.0.0.1:8081
            public: true
        """));

    assertThat(policy.routesById()).containsOnlyKeys("all", "per-tenant", "dotted");
  }

  @Test
  void compilesWhichIdentityHeadersARouteGets() throws Exception {
    CompiledPolicy policy = compile(file("x.yaml", """
        routes:
          - id: default
            path: /a/**
            upstream: http://127.0.0.1:8081
            allow: [{authenticated: true}]
          - id: none
            path: /b/**
            upstream: http://127.0.0.1:8081
            identityHeaders: false
            allow: [{authenticated: true}]
          - id: all
            path: /c/**
            upstream: http://127.0.0.1:8081
            identityHeaders: true
            allow: [{authenticated: true}]
          - id: some
            path: /d/**
            upstream: http://127.0.0.1:8081
            identityHeaders: [tenant]
            audience: https://d.example.com
            allow: [{authenticated: true}]
        """));

    assertThat(policy.routesById().get("default").options()).isEqualTo(RouteOptions.DEFAULT);
    assertThat(policy.routesById().get("none").options().identityHeaders()).isEmpty();
    assertThat(policy.routesById().get("all").options().identityHeaders())
        .containsExactlyInAnyOrder(IdentityAttribute.values());
    assertThat(policy.routesById().get("some").options().identityHeaders()).containsExactly(IdentityAttribute.TENANT);
    assertThat(policy.routesById().get("some").options().audience()).isEqualTo("https://d.example.com");
  }

  @Test
  void reportsUnknownIdentityHeadersAndIdentityOptionsOnPublicRoutes() {
    assertThat(errors("""
        routes:
          - id: a
            path: /a/**
            upstream: http://127.0.0.1:8081
            identityHeaders: [user, roles]
            audience: " "
            allow: [{authenticated: true}]
          - id: b
            path: /b/**
            upstream: http://127.0.0.1:8081
            public: true
            identityHeaders: false
            audience: b
        """)).containsExactly(
        "policies/x.yaml:5:29: /routes/0/identityHeaders/1: 'roles' (expected: true, false or a list of user, email, "
            + "groups, tenant)",
        "policies/x.yaml:6:15: /routes/0/audience: must not be empty (omit it to use the configured default)",
        "policies/x.yaml:12:5: /routes/1/identityHeaders: a public route has no identity to tell the app about (it gets "
            + "no identity headers and no assertion)",
        "policies/x.yaml:13:5: /routes/1/audience: a public route has no identity to tell the app about (it gets no "
            + "identity headers and no assertion)");
  }

  @Test
  void compilesEmptyFileAsEmptyPolicy() throws Exception {
    CompiledPolicy policy = compile(file("empty.yaml", ""));

    assertThat(policy.routes().size()).isZero();
    assertThat(policy.mfa()).isEqualTo(MfaSettings.DEFAULT);
  }

  @Test
  void readsPolicyTestCases() throws Exception {
    CompiledPolicy policy = compile(file("x.yaml", """
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            allow:
              - authenticated: true
        tests:
          - name: someone signs in
            identity: {sub: alice, groups: [ops], age: 42}
            authAge: 10m
            request: get https://app.example.com/a
            expect: deny
            reason: permission-missing
        """));

    assertThat(policy.tests()).hasSize(1);
    PolicyTestCase test = policy.tests().get(0);
    assertThat(test).isEqualTo(new PolicyTestCase("someone signs in",
        java.util.Map.of("sub", "alice", "groups", List.of("ops"), "age", 42L), Duration.ofMinutes(10), "GET",
        "app.example.com", "/a", "deny", "permission-missing", test.at(), "/tests/0"));
    assertThat(test.at().line()).isEqualTo(8);
  }

  @Test
  void compilesFromBytesAloneAndStampsTheGivenInstant() throws Exception {
    PolicyFile f = file("x.yaml", """
        routes:
          - id: a
            path: /a
            upstream: http://127.0.0.1:8081
            public: true
        """);
    assertThat(Files.exists(f.path())).isFalse();

    CompiledPolicy policy = compile(f);

    assertThat(policy.loadedAt()).isEqualTo(NOW);
    assertThat(policy.files()).containsExactly(f);
    assertThat(policy.routesById()).containsOnlyKeys("a");
  }
}

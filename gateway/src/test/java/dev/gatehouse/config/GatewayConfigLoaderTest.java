package dev.gatehouse.config;

import static dev.gatehouse.config.ConfigFiles.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.audit.ChainKey;
import dev.gatehouse.audit.EventLog;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.ClaimPath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expected lines and columns were counted by hand in the YAML text blocks (both start at 1);
 * {@link ConfigFiles#MINIMAL} is 8 lines.
 */
class GatewayConfigLoaderTest {

  @TempDir
  Path dir;

  private Path file;

  @BeforeEach
  void createPlaceholderFiles() throws IOException {
    file = ConfigFiles.createPlaceholderFiles(dir);
  }

  private GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
    return ConfigFiles.load(file, yaml, env);
  }

  private List<String> errors(String yaml) {
    return errors(yaml, Map.of());
  }

  private List<String> errors(String yaml, Map<String, String> env) {
    return ConfigFiles.errors(file, yaml, env);
  }

  /** {@code file:line:col: pointer: message} for the configuration file under test. */
  private String at(int line, int column, String pointerAndMessage) {
    return ConfigFiles.at(file, line, column, pointerAndMessage);
  }

  private String at(ExpectedProblem problem) {
    return at(problem.line(), problem.column(), problem.pointerAndMessage());
  }

  /** What a parameterized case expects; the file is only known once the test runs. */
  private record ExpectedProblem(int line, int column, String pointerAndMessage) {}

  private static ExpectedProblem problem(int line, int column, String pointerAndMessage) {
    return new ExpectedProblem(line, column, pointerAndMessage);
  }

  @Test
  void loadsMinimalConfigurationWithDefaults() throws Exception {
    GatewayConfig config = load(MINIMAL, Map.of());

    assertThat(config.source()).isEqualTo(file);
    assertThat(config.name()).isEqualTo("gatehouse");
    assertThat(config.listener()).isEqualTo(
        new GatewayConfig.Listener("0.0.0.0", 8443, Runtime.getRuntime().availableProcessors(),
            java.time.Duration.ofSeconds(30)));
    assertThat(config.tls()).isEqualTo(new GatewayConfig.Tls(dir.resolve("certs/server.pem"),
        dir.resolve("certs/server.key"), null, null, "max-age=31536000; includeSubDomains",
        Duration.ofSeconds(5), Duration.ofDays(30)));
    GatewayConfig.Issuer issuer = config.issuers().get(0);
    assertThat(issuer.id()).isEqualTo("issuer-0");
    assertThat(issuer.algorithms()).containsExactly(JWSAlgorithm.RS256);
    assertThat(issuer.claims()).isEqualTo(ClaimMapping.DEFAULT);
    assertThat(issuer.clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(issuer.jwksUri()).isNull();
    assertThat(config.policyDirectory()).isEqualTo(dir.resolve("policies"));
    assertThat(config.upstreams()).isEqualTo(
        new GatewayConfig.Upstreams(Duration.ofSeconds(5), Duration.ofSeconds(30), 256, null));
    assertThat(config.accessLog()).isEqualTo(new GatewayConfig.AccessLog(true, List.of(),
        GatewayConfigLoader.DEFAULT_REDACTED, null, 65_536, EventLog.FailurePolicy.DENY, List.of()));
    assertThat(config.assertion()).isEqualTo(new GatewayConfig.Assertion("X-Gatehouse-Assertion", JWSAlgorithm.ES256,
        Duration.ofSeconds(60), null, null, Duration.ofSeconds(10)));
    assertThat(config.identityHeaders()).isEqualTo(GatewayConfig.IdentityHeaders.DEFAULT);
  }

  @Test
  void loadsCompleteConfiguration() throws Exception {
    Files.writeString(dir.resolve("certs/idp-ca.pem"), "ca");
    Files.writeString(dir.resolve("certs/upstream-ca.pem"), "ca");
    Files.writeString(dir.resolve("certs/assertion-keys.json"), "{}");

    GatewayConfig config = load("""
        name: edge-1
        listen:
          host: 127.0.0.1
          port: 9443
          instances: 2
        tls:
          certificate: certs/server.pem
          key: ${KEY_FILE}
          hsts: max-age=63072000
        issuers:
          - id: corp
            issuer: https://idp.example.com/realms/corp
            audience: [gatehouse, api]
            algorithms: [RS256, es256]
            claims:
              email: upn
              groups: [realm_access.roles, 'resource_access."my.app".roles']
              tenant: org.tenant
            clockSkew: 30s
            jwksRefreshInterval: 15m
            jwksMinRefreshInterval: PT10S
            trustedCertificates: certs/idp-ca.pem
            jwksUri: https://idp.example.com/realms/corp/certs
          - issuer: https://login.partner.example
            audience: partner
        policies:
          directory: ./policies/
        upstreams:
          connectTimeout: 2s
          responseTimeout: 1m
          maxConnectionsPerUpstream: 64
          trustedCertificates: certs/upstream-ca.pem
        accessLog:
          stdout: false
          file: logs/access.jsonl
          redact: [Ticket]
        identityHeaders:
          user: X-Auth-User
          email: X-Auth-Email
          groups: X-Auth-Groups
          tenant: X-Auth-Org
        assertion:
          header: X-Edge-Identity
          algorithm: rs256
          lifetime: 2m
          audience: internal-apps
          keys: certs/assertion-keys.json
          keysPollInterval: 30s
        """, Map.of("KEY_FILE", dir.resolve("certs/server.key").toString()));

    assertThat(config.name()).isEqualTo("edge-1");
    assertThat(config.listener()).isEqualTo(new GatewayConfig.Listener("127.0.0.1", 9443, 2,
        java.time.Duration.ofSeconds(30)));
    assertThat(config.tls()).isEqualTo(new GatewayConfig.Tls(dir.resolve("certs/server.pem"),
        dir.resolve("certs/server.key"), null, null, "max-age=63072000",
        Duration.ofSeconds(5), Duration.ofDays(30)));
    assertThat(config.issuers()).hasSize(2);
    GatewayConfig.Issuer corp = config.issuers().get(0);
    assertThat(corp.id()).isEqualTo("corp");
    assertThat(corp.issuer()).isEqualTo(URI.create("https://idp.example.com/realms/corp"));
    assertThat(corp.audiences()).containsExactlyInAnyOrder("gatehouse", "api");
    assertThat(corp.algorithms()).containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    assertThat(corp.claims()).isEqualTo(new ClaimMapping(ClaimPath.parse("upn"),
        List.of(ClaimPath.parse("realm_access.roles"), ClaimPath.parse("resource_access.\"my.app\".roles")),
        ClaimPath.parse("org.tenant")));
    assertThat(corp.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(corp.jwksRefreshInterval()).isEqualTo(Duration.ofMinutes(15));
    assertThat(corp.jwksMinRefreshInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(corp.trustedCertificates()).isEqualTo(dir.resolve("certs/idp-ca.pem"));
    assertThat(corp.jwksUri()).isEqualTo(URI.create("https://idp.example.com/realms/corp/certs"));
    assertThat(config.issuers().get(1).id()).isEqualTo("issuer-1");
    assertThat(config.policyDirectory()).isEqualTo(dir.resolve("policies"));
    assertThat(config.upstreams()).isEqualTo(new GatewayConfig.Upstreams(Duration.ofSeconds(2), Duration.ofMinutes(1),
        64, dir.resolve("certs/upstream-ca.pem")));
    assertThat(config.accessLog().stdout()).isFalse();
    assertThat(config.accessLog().files()).containsExactly(
        new GatewayConfig.LogFile(dir.resolve("logs/access.jsonl"), 100L << 20, Duration.ofDays(1)));
    assertThat(config.accessLog().redactedParameters()).endsWith("ticket").contains("token", "code", "password");
    assertThat(config.identityHeaders()).isEqualTo(
        new GatewayConfig.IdentityHeaders("X-Auth-User", "X-Auth-Email", "X-Auth-Groups", "X-Auth-Org"));
    assertThat(config.assertion()).isEqualTo(new GatewayConfig.Assertion("X-Edge-Identity", JWSAlgorithm.RS256,
        Duration.ofMinutes(2), "internal-apps", dir.resolve("certs/assertion-keys.json"), Duration.ofSeconds(30)));
  }

  @Test
  void reportsUnknownTopLevelKey() {
    assertThat(errors(MINIMAL + """
        listener:
          port: 9443
        """)).containsExactly(at(9, 1, "/listener: unknown key 'listener' (expected one of: name, listen, tls, "
        + "issuers, policies, upstreams, accessLog, identityHeaders, assertion, admin, browser, limits, rateLimits)"));
  }

  @Test
  void reportsUnusableAssertionAndIdentityHeaderSettings() {
    assertThat(errors(MINIMAL + """
        identityHeaders:
          user: X-Request-Id
          email: X_Email
          groups: X-Who
          tenant: x-who
        assertion:
          header: X-WHO
          algorithm: HS256
          lifetime: 1h
          audience: ""
          keys: missing.json
        """)).containsExactly(
        at(10, 9, "/identityHeaders/user: 'X-Request-Id' is a header the gateway sets, removes or needs intact "
            + "(expected: a name of its own, e.g. X-Forwarded-User)"),
        at(11, 10, "/identityHeaders/email: 'X_Email' (expected: a header name of letters, digits and '-', e.g. "
            + "X-Forwarded-Email)"),
        at(13, 11, "/identityHeaders/tenant: 'x-who' is already the name of identityHeaders.groups"),
        at(15, 11, "/assertion/header: 'X-WHO' is already the name of identityHeaders.groups"),
        at(16, 14, "/assertion/algorithm: 'HS256' (expected: ES256 or RS256)"),
        at(17, 13, "/assertion/lifetime: 1h (expected: 5s..10m)"),
        at(18, 13, "/assertion/audience: must not be empty (omit it to use the route id)"),
        at(19, 9, "/assertion/keys: cannot read " + dir.resolve("missing.json")));
  }

  @Test
  void reportsANameThatCannotBeAnIssuerOrRealm() {
    assertThat(errors("name: 'edge \"1\"'\n" + MINIMAL)).containsExactly(at(1, 7, "/name: 'edge \"1\"' (expected: 1 "
        + "to 128 visible ASCII characters without quotes, backslashes or spaces, e.g. gatehouse or "
        + "https://gatehouse.example.com)"));
    assertThat(errors("name: 'a:b c'\n" + MINIMAL)).hasSize(1);
    assertThat(errors("name: 'https://[gatehouse'\n" + MINIMAL)).containsExactly(at(1, 7, "/name: "
        + "'https://[gatehouse' contains ':' but is not a URI (it is the `iss` of the gateway's assertions)"));
  }

  @Test
  void reportsWrongTypesAndRanges() {
    // MINIMAL is lines 5-12
    assertThat(errors("""
        name: [a, b]
        listen:
          port: "8443"
          instances: 0
        """ + MINIMAL + """
        accessLog:
          stdout: 1
        upstreams:
          maxConnectionsPerUpstream: 100001
          connectTimeout: soon
        """)).containsExactly(
        at(1, 7, "/name: expected a string, found a list"),
        at(3, 9, "/listen/port: expected an integer, found a string '8443'"),
        at(4, 14, "/listen/instances: 0 (expected: 1..256)"),
        at(14, 11, "/accessLog/stdout: expected true or false, found an integer '1'"),
        at(16, 30, "/upstreams/maxConnectionsPerUpstream: 100001 (expected: 1..100000)"),
        at(17, 19, "/upstreams/connectTimeout: 'soon' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)"));
  }

  @Test
  void reportsIssuersThatAreNotAList() {
    assertThat(errors("""
        tls:
          certificate: certs/server.pem
          key: certs/server.key
        issuers:
          issuer: https://idp.example.com
          audience: gatehouse
        policies:
          directory: policies
        """)).containsExactly(
        at(1, 1, "missing required key 'issuers' (at least one token issuer)"),
        at(5, 3, "/issuers: expected a list, found a mapping"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("filesWithoutAnySection")
  void reportsEveryMissingSection(String yaml) {
    assertThat(errors(yaml)).containsExactly(
        at(1, 1, "missing required key 'tls' (the gateway only serves HTTPS)"),
        at(1, 1, "missing required key 'issuers' (at least one token issuer)"),
        at(1, 1, "missing required key 'policies' (the gateway refuses to start without a policy)"));
  }

  static Stream<Named<String>> filesWithoutAnySection() {
    return Stream.of(named("a file with only a name", "name: edge-1\n"), named("an empty file", ""));
  }

  @Test
  void reportsMissingKeysInsideSections() {
    assertThat(errors("""
        tls:
          certificate: certs/server.pem
        issuers:
          - audience: gatehouse
        policies: {}
        """)).containsExactly(
        at(2, 3, "/tls: missing required key 'key'"),
        at(4, 5, "/issuers/0: missing required key 'issuer'"),
        at(5, 11, "/policies: missing required key 'directory'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("issuerMistakes")
  void reportsIssuerMistakes(String yaml, List<ExpectedProblem> expected) {
    assertThat(errors(yaml)).containsExactlyElementsOf(expected.stream().map(this::at).toList());
  }

  static Stream<Arguments> issuerMistakes() {
    return Stream.of(
        arguments(named("a misspelled audience key", MINIMAL.replace("audience:", "audiance:")), List.of(
            problem(5, 5, "/issuers/0: missing required key 'audience'"),
            problem(6, 5, "/issuers/0/audiance: unknown key 'audiance' (expected one of: id, issuer, audience, "
                + "algorithms, claims, clockSkew, jwksRefreshInterval, jwksMinRefreshInterval, trustedCertificates, "
                + "jwksUri)"))),
        arguments(named("an http:// issuer", MINIMAL.replace("https://idp.example.com", "http://idp.example.com")),
            List.of(problem(5, 13, "/issuers/0/issuer: 'http://idp.example.com' (expected: an https:// URL)"))),
        arguments(named("HMAC and none algorithms", minimalWithIssuerSetting("algorithms: [RS256, HS256, none]")),
            List.of(
                problem(7, 17, "/issuers/0/algorithms: 'HS256' is not allowed (expected: asymmetric algorithms such "
                    + "as RS256, PS256, ES256; 'none' and HMAC are never accepted)"),
                problem(7, 17, "/issuers/0/algorithms: 'none' is not allowed (expected: asymmetric algorithms such "
                    + "as RS256, PS256, ES256; 'none' and HMAC are never accepted)"))),
        arguments(named("an empty algorithm list", minimalWithIssuerSetting("algorithms: []")),
            List.of(problem(7, 17, "/issuers/0/algorithms: must name at least one algorithm"))),
        arguments(named("a clock skew above five minutes", minimalWithIssuerSetting("clockSkew: 6m")),
            List.of(problem(7, 16, "/issuers/0/clockSkew: 6m (expected: 0s..5m)"))),
        arguments(named("a duplicate id and a duplicate issuer", MINIMAL.replace("policies:", """
              - id: issuer-0
                issuer: https://other.example.com
                audience: gatehouse
              - issuer: https://idp.example.com
                audience: gatehouse
            policies:""")), List.of(
            problem(7, 5, "/issuers/1: duplicate issuer id 'issuer-0'"),
            problem(10, 5, "/issuers/2: issuer https://idp.example.com is configured twice"))));
  }

  /** {@link ConfigFiles#MINIMAL} with {@code setting} added to its issuer as line 7, the key at column 5. */
  private static String minimalWithIssuerSetting(String setting) {
    return MINIMAL.replace("policies:", "    " + setting + "\npolicies:");
  }

  @Test
  void reportsUnreadableFilesAndMissingDirectory() {
    assertThat(errors("""
        tls:
          certificate: certs/missing.pem
          key: /nonexistent/server.key
        issuers:
          - issuer: https://idp.example.com
            audience: gatehouse
        policies:
          directory: nope
        """)).containsExactly(
        at(2, 16, "/tls/certificate: cannot read " + dir.resolve("certs/missing.pem")),
        at(3, 8, "/tls/key: cannot read /nonexistent/server.key"),
        at(8, 14, "/policies/directory: " + dir.resolve("nope") + " is not a directory"));
  }

  @Test
  void reportsAccessLogWithNowhereToGo() {
    assertThat(errors(MINIMAL + """
        accessLog:
          stdout: false
        """)).containsExactly(at(10, 3, "/accessLog: access events must go somewhere: set 'stdout: true' or 'file'"));
  }

  @Test
  void loadsRotatingFilesChainKeyFailurePolicyAndTrustedProxies() throws Exception {
    Files.writeString(dir.resolve("chain.key"), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");

    GatewayConfig config = load(MINIMAL + """
        accessLog:
          file:
            - logs/access.log
            - path: /var/log/gatehouse/audit.log
              maxSize: 10MiB
              maxAge: 1h
          hmacKeyFile: chain.key
          queueCapacity: 1000
          onFailure: serve
          trustedProxies: [10.0.0.0/8, "2001:db8::/32", 192.168.1.10]
        """, Map.of());

    GatewayConfig.AccessLog log = config.accessLog();
    assertThat(log.stdout()).isTrue();
    assertThat(log.files()).containsExactly(
        new GatewayConfig.LogFile(dir.resolve("logs/access.log"), 100L << 20, Duration.ofDays(1)),
        new GatewayConfig.LogFile(Path.of("/var/log/gatehouse/audit.log"), 10L << 20, Duration.ofHours(1)));
    assertThat(log.hmacKey().id()).isEqualTo(ChainKey.fromText(Files.readString(dir.resolve("chain.key")), "x").id());
    assertThat(log.queueCapacity()).isEqualTo(1000);
    assertThat(log.onFailure()).isEqualTo(EventLog.FailurePolicy.SERVE);
    assertThat(log.trustedProxies()).extracting(Object::toString)
        .containsExactly("10.0.0.0/8", "2001:db8::/32", "192.168.1.10/32");
    assertThat(config.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
  }

  @Test
  void readsTheChainKeyFromTheNamedEnvironmentVariable() throws Exception {
    GatewayConfig config = load(MINIMAL + """
        accessLog:
          hmacKeyEnv: AUDIT_KEY
        """, Map.of("AUDIT_KEY", "k".repeat(32)));

    assertThat(config.accessLog().hmacKey().id()).isEqualTo(ChainKey.fromText("k".repeat(32), "x").id());
    assertThat(config.accessLog().hmacKey().toString()).doesNotContain("kkkk");
  }

  @Test
  void reportsAccessLogMistakes() throws Exception {
    Files.writeString(dir.resolve("short.key"), "short\n");

    assertThat(errors(MINIMAL + """
        accessLog:
          file:
            - path: a.log
              maxSize: 10
              rotate: daily
            - a.log
          hmacKeyFile: short.key
          onFailure: maybe
          trustedProxies: [10.0.0.1/8, proxy]
          queueCapacity: 1
        """)).containsExactlyInAnyOrder(
        at(12, 16, "/accessLog/file/0/maxSize: 10 (expected: 1024..1099511627776 bytes)"),
        at(13, 7, "/accessLog/file/0/rotate: unknown key 'rotate' (expected one of: path, maxSize, maxAge)"),
        at(14, 7, "/accessLog/file/1: " + dir.resolve("a.log") + " is listed twice"),
        at(15, 16, "/accessLog/hmacKeyFile: the key in " + dir.resolve("short.key") + " has 5 bytes (expected: at "
            + "least 32, e.g. the output of 'openssl rand -hex 32')"),
        at(16, 14, "/accessLog/onFailure: 'maybe' (expected: deny or serve)"),
        at(17, 20, "/accessLog/trustedProxies/0: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)"),
        at(17, 32, "/accessLog/trustedProxies/1: 'proxy' is not an address range (expected: e.g. 10.0.0.0/8, "
            + "192.168.1.10 or 2001:db8::/32)"),
        at(18, 18, "/accessLog/queueCapacity: 1 (expected: 16..10000000)"));
  }

  @Test
  void reportsAnUnreadableChainKeyFile() {
    assertThat(errors(MINIMAL + """
        accessLog:
          hmacKeyFile: missing.key
        """)).containsExactly(at(10, 16, "/accessLog/hmacKeyFile: cannot read " + dir.resolve("missing.key")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chainKeyMistakes")
  void reportsChainKeyMistakes(String accessLogSection, ExpectedProblem expected) {
    assertThat(errors(MINIMAL + accessLogSection)).containsExactly(at(expected));
  }

  static Stream<Arguments> chainKeyMistakes() {
    return Stream.of(
        arguments(named("both a key file and a key variable", """
            accessLog:
              hmacKeyFile: missing.key
              hmacKeyEnv: AUDIT_KEY
            """), problem(11, 15, "/accessLog/hmacKeyEnv: set either hmacKeyFile or hmacKeyEnv, not both")),
        arguments(named("a key variable that is not set", """
            accessLog:
              hmacKeyEnv: AUDIT_KEY
            """), problem(10, 15, "/accessLog/hmacKeyEnv: environment variable AUDIT_KEY is not set")),
        arguments(named("the key where the name of its variable belongs", """
            accessLog:
              hmacKeyEnv: 0123456789abcdef0123456789abcdef
            """), problem(10, 15, "/accessLog/hmacKeyEnv: '0123456789abcdef0123456789abcdef' (expected: the name of "
                + "an environment variable that holds the key, not the key)")));
  }

  @Test
  void reportsUnreadableConfigurationFile() {
    Path missing = dir.resolve("missing.yaml");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> GatewayConfigLoader.load(missing, Map.of()));

    assertThat(e.problems()).singleElement().hasToString(
        missing + ":1:1: cannot read the configuration file: java.nio.file.NoSuchFileException: " + missing);
  }

  @Test
  void interpolatesEnvironmentVariablesWithDefaults() throws Exception {
    GatewayConfig config = load("""
        name: ${NAME:-gatehouse-${not}}
        tls:
          certificate: ${CERTS}/server.pem
          key: ${CERTS}/server.key
        issuers:
          - issuer: https://${IDP_HOST}/realms/${REALM:-corp}
            audience: ${AUDIENCE:-}gatehouse
        policies:
          directory: policies
        accessLog:
          redact: ['${EXTRA}']
        """, Map.of("CERTS", dir.resolve("certs").toString(), "IDP_HOST", "idp.example.com", "EXTRA", "a$1\\b"));

    assertThat(config.name()).isEqualTo("gatehouse-${not}");
    assertThat(config.tls().certificate()).isEqualTo(dir.resolve("certs/server.pem"));
    assertThat(config.issuers().get(0).issuer()).isEqualTo(URI.create("https://idp.example.com/realms/corp"));
    assertThat(config.issuers().get(0).audiences()).containsExactly("gatehouse");
    assertThat(config.accessLog().redactedParameters()).endsWith("a$1\\b");
  }

  @Test
  void reportsMissingEnvironmentVariable() {
    assertThat(errors("""
        tls:
          certificate: certs/server.pem
          key: certs/server.key
        issuers:
          - issuer: ${IDP_URL}
            audience: gatehouse
            jwksUri: ${JWKS_URI}
        policies:
          directory: policies
        """, Map.of("IDP_URL", "https://idp.example.com"))).containsExactly(
        at(7, 14, "/issuers/0/jwksUri: environment variable JWKS_URI is not set (write ${JWKS_URI:-default} for a "
            + "default)"));
  }

  @Test
  void doesNotInterpolateFromTheProcessEnvironmentWhenGivenAMap() {
    String someRealVariable = System.getenv().keySet().stream().filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
        .findFirst().orElse("PATH");

    assertThat(errors(MINIMAL + "name: ${" + someRealVariable + "}\n")).singleElement().asString()
        .endsWith("/name: environment variable " + someRealVariable + " is not set (write ${" + someRealVariable
            + ":-default} for a default)");
  }

  @Test
  void browserSignInIsOffWithoutItsSection() throws Exception {
    assertThat(load(MINIMAL, Map.of()).browser()).isNull();
  }

  @Test
  void browserSignInWithDefaults() throws Exception {
    GatewayConfig config = load(MINIMAL + """
        browser:
          issuer: issuer-0
          clientId: gatehouse
          publicOrigin: https://Gatehouse.Example.com:443/
        """, Map.of());

    GatewayConfig.Browser b = config.browser();
    assertThat(b.issuerId()).isEqualTo("issuer-0");
    assertThat(b.clientId()).isEqualTo("gatehouse");
    assertThat(b.clientSecret()).as("a public client").isNull();
    assertThat(b.scopes()).containsExactly("openid", "email", "profile");
    assertThat(b.publicOrigin()).isEqualTo(URI.create("https://gatehouse.example.com"));
    assertThat(b.session()).isEqualTo(new GatewayConfig.Session(null, Duration.ofSeconds(10), Duration.ofHours(8),
        Duration.ofHours(24), Duration.ofMinutes(1)));
  }

  @Test
  void theClientSecretComesFromTheEnvironmentOrAFileNeverInline() throws Exception {
    Files.writeString(dir.resolve("secret"), "from-a-file\n");
    String yaml = MINIMAL + """
        browser:
          issuer: issuer-0
          clientId: gatehouse
          clientSecret: SECRET
          publicOrigin: https://gatehouse.example.com:8443
          session:
            cookieKeys: certs/server.key
            idleTimeout: 1h
            absoluteTimeout: 12h
            refreshBefore: 30s
        """;
    GatewayConfig fromEnv = load(yaml.replace("SECRET", "${CLIENT_SECRET}"), Map.of("CLIENT_SECRET", "from-env"));
    assertThat(fromEnv.browser().clientSecret().reveal()).isEqualTo("from-env");
    assertThat(fromEnv.browser().clientSecret().toString()).isEqualTo("(secret from environment)");
    assertThat(fromEnv.browser().publicOrigin()).isEqualTo(URI.create("https://gatehouse.example.com:8443"));
    assertThat(fromEnv.browser().session()).isEqualTo(new GatewayConfig.Session(dir.resolve("certs/server.key"),
        Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofHours(12), Duration.ofSeconds(30)));
    GatewayConfig fromFile = load(yaml.replace("SECRET", "file:" + dir.resolve("secret")), Map.of());
    assertThat(fromFile.browser().clientSecret().reveal()).isEqualTo("from-a-file");

    assertThat(errors(yaml.replace("SECRET", "hunter2"))).containsExactly(at(12, 17,
        "/browser/clientSecret: a secret must not be written inline (expected: ${ENV_VAR} or file:/path)"));
  }

  @Test
  void browserSignInMistakesAreReportedWithTheirLines() {
    assertThat(errors(MINIMAL + """
        browser:
          issuer: corp
          clientId: gatehouse
          scopes: [email, "bad scope"]
          publicOrigin: https://gatehouse.example.com/app
          session:
            idleTimeout: 2d
            absoluteTimeout: 1d
            lifetime: 1h
        """)).containsExactly(
        at(10, 11, "/browser/issuer: 'corp' is not the id of a configured issuer (expected one of: issuer-0)"),
        at(12, 11, "/browser/scopes: must include openid (sign-in needs an ID token)"),
        at(12, 11, "/browser/scopes: 'bad scope' is not a scope (RFC 6749 section 3.3: visible ASCII without spaces, "
            + "quotes or backslashes)"),
        at(13, 17, "/browser/publicOrigin: 'https://gatehouse.example.com/app' (expected: an origin without path, "
            + "query or user, e.g. https://gatehouse.example.com or https://gatehouse.example.com:8443)"),
        at(15, 18, "/browser/session/idleTimeout: 2d is longer than absoluteTimeout 1d (expected: idleTimeout <= "
            + "absoluteTimeout)"),
        at(17, 5, "/browser/session/lifetime: unknown key 'lifetime' (expected one of: cookieKeys, keysPollInterval, "
            + "absoluteTimeout, idleTimeout, refreshBefore)"));
    assertThat(errors(MINIMAL + "browser:\n  issuer: issuer-0\n")).containsExactly(
        at(10, 3, "/browser: missing required key 'clientId'"),
        at(10, 3, "/browser: missing required key 'publicOrigin'"));
  }
}

package dev.gatehouse.policy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.MappingReader;
import dev.gatehouse.config.Problems;
import dev.gatehouse.config.YamlNode;
import dev.gatehouse.config.YamlTreeReader;
import dev.gatehouse.identity.ClaimPath;
import dev.gatehouse.identity.IdentityAttribute;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Compiles every file of a policy directory into one {@link CompiledPolicy}, or reports every mistake with
 * file:line. Pure: no I/O, no clock reads beyond the {@code loadedAt} it is given. All files form one policy, so a
 * route in one file may use a permission defined in another.
 */
public final class PolicyCompiler {

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
  /** Paths the gateway answers itself, before routing; no route may claim them. */
  public static final String RESERVED_PREFIX = "/.gatehouse/";
  private static final String RESERVED_SEGMENT = ".gatehouse";
  private static final Pattern TENANT_REFERENCE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final Problems problems = new Problems();
  private final Map<String, String> permissionDescriptions = new LinkedHashMap<>();
  private final Map<String, Set<String>> permissionGrants = new LinkedHashMap<>();
  private final Map<String, String> permissionDeclaredAt = new HashMap<>();
  private MfaSettings mfa = MfaSettings.DEFAULT;
  private String mfaDeclaredAt;

  private PolicyCompiler() {}

  /** @throws ConfigException listing every problem in every file, in file and line order */
  public static CompiledPolicy compile(List<PolicyFile> files, Instant loadedAt) throws ConfigException {
    return new PolicyCompiler().run(files, loadedAt);
  }

  private CompiledPolicy run(List<PolicyFile> files, Instant loadedAt) throws ConfigException {
    List<MappingReader> documents = new ArrayList<>();
    for (PolicyFile file : files) {
      try {
        YamlNode root = YamlTreeReader.read(file.path(), file.content());
        documents.add(MappingReader.of(root, problems));
      } catch (ConfigException e) {
        problems.addAll(e.problems());
      }
    }
    for (MappingReader doc : documents) {
      readPermissions(doc);
      readMfa(doc);
    }
    RouteTable.Builder table = new RouteTable.Builder();
    Map<String, Route> byId = new LinkedHashMap<>();
    for (MappingReader doc : documents) {
      for (MappingReader routeNode : doc.mappings("routes")) {
        Route route = readRoute(routeNode);
        if (route == null) {
          continue;
        }
        Route existing = byId.get(route.id());
        if (existing != null) {
          problems.add(routeNode.keyPosition("id"), routeNode.pointerOf("id"),
              "duplicate route id '" + route.id() + "' (first defined at " + existing.declaredAt() + ")");
          continue;
        }
        Route clash = table.add(route);
        if (clash != null) {
          problems.add(routeNode.keyPosition("path"), routeNode.pointerOf("path"),
              "route '" + route.id() + "' has the same host, path and methods as route '" + clash.id() + "' ("
                  + clash.declaredAt() + ")");
          continue;
        }
        byId.put(route.id(), route);
      }
    }
    List<PolicyTestCase> tests = new ArrayList<>();
    for (MappingReader doc : documents) {
      for (MappingReader testNode : doc.mappings("tests")) {
        PolicyTestCase test = readTest(testNode);
        if (test != null) {
          tests.add(test);
        }
      }
      doc.finish();
    }
    problems.throwIfAny();
    return new CompiledPolicy(version(files), loadedAt, files, table.build(), byId,
        new Permissions(permissionDescriptions, permissionGrants), mfa, tests);
  }

  private void readPermissions(MappingReader doc) {
    MappingReader permissions = doc.mapping("permissions");
    for (Map.Entry<String, YamlNode> entry : permissions.entries()) {
      String name = entry.getKey();
      YamlNode node = entry.getValue();
      String at = location(node);
      if (!ID.matcher(name).matches()) {
        problems.add(node, "'" + name + "' is not a valid permission name (expected: letters, digits, '.', '_', '-')");
        continue;
      }
      if (permissionDeclaredAt.containsKey(name)) {
        problems.add(node, "permission '" + name + "' is already defined at " + permissionDeclaredAt.get(name));
        continue;
      }
      Set<String> groups;
      String description = "";
      if (node instanceof YamlNode.Sequence) {
        groups = new LinkedHashSet<>(permissions.stringList(node));
      } else {
        MappingReader p = MappingReader.of(node, problems);
        description = p.string("description", "");
        groups = new LinkedHashSet<>(p.strings("grantedTo"));
        if (!p.has("grantedTo")) {
          p.missing("grantedTo");
        }
        p.finish();
      }
      permissionDeclaredAt.put(name, at);
      permissionDescriptions.put(name, description);
      permissionGrants.put(name, groups);
    }
  }

  private void readMfa(MappingReader doc) {
    if (!doc.has("mfa")) {
      return;
    }
    MappingReader m = doc.mapping("mfa");
    String at = location(m.node());
    if (mfaDeclaredAt != null) {
      problems.add(m.node(), "mfa settings are already defined at " + mfaDeclaredAt + " (expected: at most once)");
      return;
    }
    mfaDeclaredAt = at;
    List<String> amr = m.has("amr") ? m.strings("amr") : List.copyOf(MfaSettings.DEFAULT_AMR);
    List<String> acr = m.strings("acr");
    List<String> levels = m.strings("acrLevels");
    if (new LinkedHashSet<>(levels).size() != levels.size()) {
      problems.add(m.get("acrLevels").orElseThrow(), "acrLevels lists a value twice");
    }
    m.finish();
    mfa = new MfaSettings(Set.copyOf(amr), acr, levels);
  }

  private Route readRoute(MappingReader r) {
    String id = r.requiredString("id");
    if (id != null && !ID.matcher(id).matches()) {
      problems.add(r.get("id").orElseThrow(), "'" + id + "' is not a valid route id (expected: letters, digits, '.', '_', '-')");
      id = null;
    }
    List<HostPattern> hosts = new ArrayList<>();
    List<String> hostTexts = r.strings("host");
    for (String h : hostTexts) {
      try {
        hosts.add(HostPattern.parse(h));
      } catch (IllegalArgumentException e) {
        problems.add(r.get("host").orElseThrow(), e.getMessage());
      }
    }
    if (hostTexts.isEmpty()) {
      hosts.add(HostPattern.ANY);
    }
    PathPattern path = null;
    String pathText = r.requiredString("path");
    if (pathText != null) {
      try {
        path = PathPattern.parse(pathText);
        if (isReserved(path)) {
          problems.add(r.get("path").orElseThrow(), "'" + pathText + "' is under " + RESERVED_PREFIX
              + ", which the gateway reserves for its own endpoints");
          path = null;
        }
      } catch (IllegalArgumentException e) {
        problems.add(r.get("path").orElseThrow(), e.getMessage());
      }
    }
    Set<String> methods = methods(r, "methods");
    Upstream upstream = null;
    String upstreamText = r.requiredString("upstream");
    if (upstreamText != null) {
      try {
        upstream = Upstream.parse(upstreamText);
      } catch (IllegalArgumentException e) {
        problems.add(r.get("upstream").orElseThrow(), e.getMessage());
      }
    }
    boolean isPublic = r.bool("public", false);
    RouteOptions options = new RouteOptions(r.bool("passToken", false), headers(r), identityHeaders(r),
        audience(r), r.size("maxBodySize", -1, 0, 1L << 40),
        dev.gatehouse.config.RateLimit.read(r, "rateLimit", null).orElse(null));
    String routeId = id == null ? "?" : id;
    List<Rule> deny = rules(r, "deny", routeId, path, true);
    List<Rule> allow = rules(r, "allow", routeId, path, false);
    if (isPublic && (r.has("allow") || r.has("deny"))) {
      problems.add(r.keyPosition("public"), r.pointerOf("public"),
          "a public route takes no allow or deny rules (anyone may pass)");
    }
    if (isPublic && options.passToken()) {
      problems.add(r.keyPosition("passToken"), r.pointerOf("passToken"), "a public route has no token to pass on");
    }
    for (String key : List.of("identityHeaders", "audience")) {
      if (isPublic && r.has(key)) {
        problems.add(r.keyPosition(key), r.pointerOf(key),
            "a public route has no identity to tell the app about (it gets no identity headers and no assertion)");
      }
    }
    r.finish();
    if (id == null || path == null || upstream == null) {
      return null;
    }
    return new Route(id, hosts, path, methods, upstream, isPublic, deny, allow, options, location(r.node()));
  }

  /**
   * True when the first segment is the literal reserved one. Wildcard segments ({@code /**}, {@code /{tenant}/..})
   * are allowed: the gateway answers {@value #RESERVED_PREFIX} paths before routing, so such a route never receives
   * them, and refusing them would rule out catch-all routes.
   */
  private static boolean isReserved(PathPattern path) {
    List<PathPattern.Segment> segments = path.segments();
    return !segments.isEmpty() && segments.get(0).kind() == PathPattern.SegmentKind.LITERAL
        && segments.get(0).text().equalsIgnoreCase(RESERVED_SEGMENT);
  }

  /** {@code identityHeaders: true} (the default), {@code false}, or a list of {@code user, email, groups, tenant}. */
  private Set<IdentityAttribute> identityHeaders(MappingReader r) {
    Optional<YamlNode> node = r.get("identityHeaders");
    if (node.isEmpty() || !r.has("identityHeaders")) {
      return EnumSet.allOf(IdentityAttribute.class);
    }
    if (node.get() instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.BOOLEAN) {
      return Boolean.parseBoolean(s.text()) ? EnumSet.allOf(IdentityAttribute.class) : EnumSet.noneOf(IdentityAttribute.class);
    }
    Set<IdentityAttribute> out = EnumSet.noneOf(IdentityAttribute.class);
    for (Map.Entry<String, YamlNode> item : r.stringItems("identityHeaders")) {
      IdentityAttribute a = IdentityAttribute.byKey(item.getKey());
      if (a == null) {
        problems.add(item.getValue(), "'" + item.getKey() + "' (expected: true, false or a list of user, email, groups, "
            + "tenant)");
      } else {
        out.add(a);
      }
    }
    return out;
  }

  private String audience(MappingReader r) {
    String audience = r.string("audience", null);
    if (audience != null && audience.isBlank()) {
      problems.add(r.get("audience").orElseThrow(), "must not be empty (omit it to use the configured default)");
      return null;
    }
    return audience;
  }

  private Map<String, String> headers(MappingReader r) {
    Map<String, String> out = new LinkedHashMap<>();
    MappingReader h = r.mapping("headers");
    for (Map.Entry<String, YamlNode> e : h.entries()) {
      String value = h.scalarText(e.getValue(), null);
      if (!HEADER_NAME.matcher(e.getKey()).matches()) {
        problems.add(e.getValue(), "'" + e.getKey() + "' is not a valid header name");
      } else if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
        problems.add(e.getValue(), "header values must not contain line breaks");
      } else if (value != null) {
        out.put(e.getKey(), value);
      }
    }
    return out;
  }

  private Set<String> methods(MappingReader r, String key) {
    Set<String> out = new LinkedHashSet<>();
    for (String m : r.strings(key)) {
      String upper = m.toUpperCase(Locale.ROOT);
      if (!METHODS.contains(upper)) {
        problems.add(r.get(key).orElseThrow(), "'" + m + "' is not an HTTP method (expected one of: " + Conditions.sorted(METHODS) + ")");
      } else {
        out.add(upper);
      }
    }
    return out;
  }

  private List<Rule> rules(MappingReader route, String key, String routeId, PathPattern path, boolean deny) {
    List<Rule> rules = new ArrayList<>();
    List<MappingReader> nodes = route.mappings(key);
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      MappingReader r = nodes.get(i);
      String name = r.string("name", key + "[" + i + "]");
      if (!names.add(name)) {
        problems.add(r.keyPosition("name"), r.pointerOf("name"), "duplicate rule name '" + name + "' in route '" + routeId + "'");
      }
      Rule rule = readRule(r, name, path, deny);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return rules;
  }

  private Rule readRule(MappingReader r, String name, PathPattern path, boolean deny) {
    List<Condition> conditions = new ArrayList<>();
    Set<String> permissionsUsed = new LinkedHashSet<>();
    boolean authenticated = r.bool("authenticated", false);
    Set<String> all = knownPermissions(r, "permissions");
    if (!all.isEmpty()) {
      conditions.add(new Conditions.AllPermissions(all));
      permissionsUsed.addAll(all);
    }
    Set<String> any = knownPermissions(r, "anyPermission");
    if (!any.isEmpty()) {
      conditions.add(new Conditions.AnyPermission(any));
      permissionsUsed.addAll(any);
    }
    addSet(r, "groups", conditions, Conditions.AnyGroup::new);
    addSet(r, "subjects", conditions, Conditions.SubjectIn::new);
    addSet(r, "emails", conditions, Conditions.EmailIn::new);
    addSet(r, "emailDomains", conditions, Conditions.EmailDomainIn::new);
    readClaims(r, conditions);
    Set<String> methods = methods(r, "methods");
    if (!methods.isEmpty()) {
      conditions.add(new Conditions.MethodIn(methods));
    }
    if (r.has("mfa")) {
      if (deny) {
        problems.add(r.keyPosition("mfa"), r.pointerOf("mfa"), "mfa is a requirement; it belongs in allow rules, not deny rules");
      } else {
        Condition c = readMfaCondition(r);
        if (c != null) {
          conditions.add(c);
        }
      }
    }
    if (r.has("tenant")) {
      String text = r.string("tenant", null);
      if (deny) {
        problems.add(r.keyPosition("tenant"), r.pointerOf("tenant"), "tenant binding belongs in allow rules, not deny rules");
      } else if (text != null) {
        var m = TENANT_REFERENCE.matcher(text);
        if (!m.matches()) {
          problems.add(r.get("tenant").orElseThrow(), "'" + text + "' (expected: a path variable such as \"{tenant}\")");
        } else if (path != null && !path.variableNames().contains(m.group(1))) {
          problems.add(r.get("tenant").orElseThrow(), "path variable {" + m.group(1) + "} is not defined by the route's path '"
              + path + "'");
        } else {
          conditions.add(new Conditions.TenantBinding(m.group(1)));
        }
      }
    }
    r.finish();
    boolean wroteConditions = r.node() instanceof YamlNode.Mapping m
        && m.entries().keySet().stream().anyMatch(k -> !k.equals("name") && !k.equals("authenticated"));
    if (!wroteConditions && !authenticated) {
      problems.add(r.node(), "rule '" + name + "' has no conditions (write 'authenticated: true' to match every signed-in caller)");
      return null;
    }
    if (conditions.isEmpty() && !authenticated) {
      return null; // its conditions were invalid and have been reported
    }
    if (authenticated && wroteConditions) {
      problems.add(r.keyPosition("authenticated"), r.pointerOf("authenticated"),
          "'authenticated: true' is implied by the other conditions; remove it");
    }
    return new Rule(name, conditions, permissionsUsed, location(r.node()));
  }

  private Set<String> knownPermissions(MappingReader r, String key) {
    Set<String> out = new LinkedHashSet<>();
    if (!r.has(key)) {
      return out;
    }
    List<Map.Entry<String, YamlNode>> items = r.stringItems(key);
    if (items.isEmpty()) {
      problems.add(r.get(key).orElseThrow(), "an empty list never matches; remove the key or list something");
    }
    for (Map.Entry<String, YamlNode> item : items) {
      if (!permissionDescriptions.containsKey(item.getKey())) {
        problems.add(item.getValue(), "unknown permission '" + item.getKey() + "' (defined: "
            + Conditions.sorted(permissionDescriptions.keySet()) + ")");
      } else {
        out.add(item.getKey());
      }
    }
    return out;
  }

  private void addSet(MappingReader r, String key, List<Condition> conditions,
      java.util.function.Function<Set<String>, Condition> factory) {
    if (!r.has(key)) {
      r.get(key);
      return;
    }
    List<String> values = r.strings(key);
    if (values.isEmpty()) {
      problems.add(r.get(key).orElseThrow(), "an empty list never matches; remove the key or list something");
      return;
    }
    conditions.add(factory.apply(new LinkedHashSet<>(values)));
  }

  private void readClaims(MappingReader r, List<Condition> conditions) {
    MappingReader claims = r.mapping("claims");
    for (Map.Entry<String, YamlNode> e : claims.entries()) {
      ClaimPath path;
      try {
        path = ClaimPath.parse(e.getKey());
      } catch (IllegalArgumentException ex) {
        problems.add(e.getValue(), ex.getMessage());
        continue;
      }
      MappingReader test = MappingReader.of(e.getValue(), problems);
      boolean any = false;
      if (test.has("equals")) {
        Object v = claimValue(test, "equals");
        if (v != null) {
          conditions.add(new Conditions.ClaimEquals(path, v));
        }
        any = true;
      }
      if (test.has("contains")) {
        Object v = claimValue(test, "contains");
        if (v != null) {
          conditions.add(new Conditions.ClaimContains(path, v));
        }
        any = true;
      }
      test.finish();
      if (!any) {
        problems.add(e.getValue(), "a claim condition needs 'equals' or 'contains'");
      }
    }
  }

  private Object claimValue(MappingReader m, String key) {
    YamlNode node = m.get(key).orElseThrow();
    if (node instanceof YamlNode.Scalar) {
      return toJson(node);
    }
    problems.add(node, "expected a string, number or boolean, found " + node.kind());
    return null;
  }

  private Condition readMfaCondition(MappingReader r) {
    YamlNode node = r.get("mfa").orElseThrow();
    Set<String> amr = mfa.amrValues();
    Set<String> acr = Set.copyOf(mfa.acrValues());
    List<String> challengeAcr = mfa.acrValues();
    int minimumLevel = -1;
    Duration maxAge = null;
    if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.BOOLEAN) {
      if (!Boolean.parseBoolean(s.text())) {
        problems.add(node, "'mfa: false' has no effect; remove it");
        return null;
      }
    } else {
      MappingReader m = MappingReader.of(node, problems);
      if (m.has("amr")) {
        amr = Set.copyOf(m.strings("amr"));
      }
      if (m.has("acr")) {
        challengeAcr = m.strings("acr");
        acr = Set.copyOf(challengeAcr);
        if (!m.has("amr")) {
          amr = Set.of(); // a rule that names acr values means those, not any second factor
        }
      }
      String min = m.string("minAcr", null);
      if (min != null) {
        minimumLevel = mfa.acrLevels().indexOf(min);
        if (minimumLevel < 0) {
          problems.add(m.get("minAcr").orElseThrow(), "'" + min + "' is not one of the acrLevels in the mfa settings "
              + mfa.acrLevels());
        }
        challengeAcr = minimumLevel < 0 ? List.of() : mfa.acrLevels().subList(minimumLevel, mfa.acrLevels().size());
      }
      maxAge = m.duration("maxAge", null, Duration.ofSeconds(1), Duration.ofDays(30));
      m.finish();
    }
    StepUp stepUp = new StepUp(challengeAcr, maxAge);
    String detail = maxAge == null
        ? "requires multi-factor authentication"
        : "requires multi-factor authentication within the last " + dev.gatehouse.config.Quantities.format(maxAge);
    Unmet unmet = new Unmet(dev.gatehouse.Reason.MFA_REQUIRED, detail, stepUp);
    return new Conditions.Mfa(amr, acr, mfa.acrLevels(), minimumLevel, maxAge, unmet);
  }

  private PolicyTestCase readTest(MappingReader t) {
    String name = t.requiredString("name");
    Map<String, Object> claims = null;
    if (t.has("identity")) {
      claims = readClaimsObject(t.get("identity").orElseThrow());
    } else {
      t.get("identity");
    }
    Duration authAge = t.duration("authAge", null, Duration.ZERO, Duration.ofDays(365));
    String request = t.requiredString("request");
    String expect = t.requiredString("expect");
    String reason = t.string("reason", null);
    if (expect != null && !PolicyTestCase.EXPECTATIONS.contains(expect)) {
      problems.add(t.get("expect").orElseThrow(), "'" + expect + "' (expected one of: " + PolicyTestCase.EXPECTATIONS + ")");
    }
    if (reason != null && java.util.Arrays.stream(dev.gatehouse.Reason.values()).noneMatch(x -> x.code().equals(reason))) {
      problems.add(t.get("reason").orElseThrow(), "'" + reason + "' is not a reason code");
    }
    t.finish();
    if (name == null || request == null || expect == null) {
      return null;
    }
    String[] parts = request.trim().split("\\s+");
    if (parts.length != 2 || !METHODS.contains(parts[0].toUpperCase(Locale.ROOT))) {
      problems.add(t.get("request").orElseThrow(), "'" + request + "' (expected: METHOD URL, e.g. GET https://app.example.com/billing)");
      return null;
    }
    URI uri;
    try {
      uri = new URI(parts[1]);
    } catch (URISyntaxException e) {
      problems.add(t.get("request").orElseThrow(), "'" + parts[1] + "' is not a URL");
      return null;
    }
    if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
      problems.add(t.get("request").orElseThrow(), "'" + parts[1] + "' needs a host and a path");
      return null;
    }
    return new PolicyTestCase(name, claims, authAge, parts[0].toUpperCase(Locale.ROOT), uri.getHost(), uri.getRawPath(),
        expect, reason, t.node().at(), t.node().pointer());
  }

  /** Converts a YAML mapping into JSON-like claims (strings, numbers, booleans, lists, nested maps). */
  private Map<String, Object> readClaimsObject(YamlNode node) {
    if (!(node instanceof YamlNode.Mapping)) {
      problems.add(node, "expected a mapping of claims, found " + node.kind());
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> claims = (Map<String, Object>) toJson(node);
    if (!(claims.get("sub") instanceof String)) {
      problems.add(node, "the identity of a test needs a 'sub' claim");
    }
    return claims;
  }

  private static Object toJson(YamlNode node) {
    if (node instanceof YamlNode.Mapping m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.entries().forEach((k, v) -> {
        Object value = toJson(v.value());
        if (value != null) {
          out.put(k, value);
        }
      });
      return out;
    }
    if (node instanceof YamlNode.Sequence s) {
      List<Object> list = new ArrayList<>();
      for (YamlNode item : s.items()) {
        list.add(toJson(item));
      }
      return list;
    }
    YamlNode.Scalar s = (YamlNode.Scalar) node;
    return switch (s.type()) {
      case STRING -> s.text();
      case INTEGER -> Long.parseLong(s.text());
      case DECIMAL -> Double.parseDouble(s.text());
      case BOOLEAN -> Boolean.parseBoolean(s.text());
      case NULL -> null;
    };
  }

  private static String location(YamlNode node) {
    return node.at().file().getFileName() + ":" + node.at().line();
  }

  /** The version a policy made of {@code files} has: a short hash of their names and contents. */
  public static String version(List<PolicyFile> files) {
    StringBuilder sb = new StringBuilder();
    files.stream().sorted(java.util.Comparator.comparing(PolicyFile::name))
        .forEach(f -> sb.append(f.name()).append('\0').append(f.sha256()).append('\n'));
    return PolicyFile.sha256(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
  }
}

package dev.gatehouse.config;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.audit.AddressRange;
import dev.gatehouse.audit.ChainKey;
import dev.gatehouse.audit.EventLog;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.ClaimPath;
import dev.gatehouse.identity.IdentityAttribute;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code gatehouse.yaml} into a {@link GatewayConfig}, reporting every problem with file:line. String values may
 * reference environment variables as {@code ${NAME}} or {@code ${NAME:-default}}. Blocking; call before the server
 * starts.
 */
public final class GatewayConfigLoader {

  /** Algorithms an issuer may use: asymmetric only, so a public key can never be used as an HMAC secret. */
  static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  public static final List<String> DEFAULT_REDACTED =
      List.of("token", "code", "password", "passwd", "secret", "key", "session", "signature", "credential", "assertion",
          "state");

  /** Algorithms the gateway signs assertions with; ES256 by default (cheap to sign on the event loop). */
  static final Set<JWSAlgorithm> ASSERTION_ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256);

  /**
   * Header names (folded: lower case, '_' as '-') that the identity and assertion headers may not take: the ones the
   * gateway writes itself, hop-by-hop headers, and request headers that apps and the gateway need intact. A
   * configured name is stripped from every client request, so it must not be one of these.
   */
  static final Set<String> RESERVED_HEADERS = Set.of("x-request-id", "x-client-request-id", "x-forwarded-for",
      "x-forwarded-proto", "x-forwarded-host", "traceparent", "tracestate", "connection", "keep-alive",
      "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization",
      "host", "authorization", "cookie", "content-length", "content-type", "expect");

  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9]+(-[A-Za-z0-9]+)*");

  /** The gateway's name is the assertions' {@code iss} and the challenges' quoted realm: visible ASCII, no quotes. */
  private static final Pattern NAME = Pattern.compile("[!#-\\[\\]-~]{1,128}");

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
  private static final Pattern SCOPE = Pattern.compile("[!#-\\[\\]-~]+");

  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final Path file;
  private final Map<String, String> environment;
  private final Problems problems = new Problems();

  private GatewayConfigLoader(Path file, Map<String, String> environment) {
    this.file = file;
    this.environment = environment;
  }

  public static GatewayConfig load(Path file) throws ConfigException {
    return load(file, System.getenv());
  }

  public static GatewayConfig load(Path file, Map<String, String> environment) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(List.of(new ConfigProblem(file, 1, 1, "", "cannot read the configuration file: " + e)));
    }
    return new GatewayConfigLoader(file, environment).parse(bytes);
  }

  private GatewayConfig parse(byte[] bytes) throws ConfigException {
    YamlNode root = YamlTreeReader.read(file, bytes);
    MappingReader top = MappingReader.of(root, problems, interpolation());
    String name = name(top);
    GatewayConfig.Listener listener = listener(top.mapping("listen"));
    GatewayConfig.Tls tls = requireSection(top, "tls", "the gateway only serves HTTPS") ? tls(top.mapping("tls")) : null;
    List<GatewayConfig.Issuer> issuers = issuers(top);
    MappingReader policies = top.mapping("policies");
    Path policyDirectory = requireSection(top, "policies", "the gateway refuses to start without a policy")
        ? policies(policies) : null;
    Duration pollInterval = policies.duration("pollInterval", Duration.ofMillis(250), Duration.ZERO, Duration.ofMinutes(1));
    policies.finish();
    GatewayConfig.Upstreams upstreams = upstreams(top.mapping("upstreams"));
    GatewayConfig.AccessLog accessLog = accessLog(top.mapping("accessLog"));
    GatewayConfig.IdentityHeaders identityHeaders = identityHeaders(top.mapping("identityHeaders"));
    GatewayConfig.Assertion assertion = assertion(top.mapping("assertion"), identityHeaders);
    GatewayConfig.Admin admin = top.has("admin") ? admin(top.mapping("admin")) : null;
    GatewayConfig.Browser browser = top.has("browser") ? browser(top.mapping("browser"), top, issuers) : null;
    GatewayConfig.Limits limits = limits(top.mapping("limits"));
    GatewayConfig.RateLimits rateLimits = rateLimits(top.mapping("rateLimits"));
    top.finish();
    problems.throwIfAny();
    return new GatewayConfig(file, name, listener, tls, issuers, policyDirectory, pollInterval, upstreams, accessLog,
        assertion, identityHeaders, admin, browser, limits, rateLimits, sha256(bytes));
  }

  private String name(MappingReader top) {
    String name = top.string("name", "gatehouse");
    if (name != null && !NAME.matcher(name).matches()) {
      problems.add(top.get("name").orElseThrow(), "'" + name + "' (expected: 1 to 128 visible ASCII characters "
          + "without quotes, backslashes or spaces, e.g. gatehouse or https://gatehouse.example.com)");
      return "gatehouse";
    }
    if (name != null && name.indexOf(':') >= 0) {
      // RFC 7519 section 2: a StringOrURI value that contains ':' must be a URI
      try {
        new URI(name);
      } catch (URISyntaxException e) {
        problems.add(top.get("name").orElseThrow(), "'" + name + "' contains ':' but is not a URI (it is the `iss` of "
            + "the gateway's assertions)");
      }
    }
    return name;
  }

  private GatewayConfig.IdentityHeaders identityHeaders(MappingReader m) {
    GatewayConfig.IdentityHeaders d = GatewayConfig.IdentityHeaders.DEFAULT;
    Map<String, String> seen = new java.util.HashMap<>();
    String user = headerName(m, "identityHeaders", "user", d.user(), seen);
    String email = headerName(m, "identityHeaders", "email", d.email(), seen);
    String groups = headerName(m, "identityHeaders", "groups", d.groups(), seen);
    String tenant = headerName(m, "identityHeaders", "tenant", d.tenant(), seen);
    m.finish();
    return new GatewayConfig.IdentityHeaders(user, email, groups, tenant);
  }

  private GatewayConfig.Assertion assertion(MappingReader m, GatewayConfig.IdentityHeaders identityHeaders) {
    Map<String, String> seen = new java.util.HashMap<>();
    for (IdentityAttribute a : IdentityAttribute.values()) {
      seen.put(fold(identityHeaders.name(a)), "identityHeaders." + a.key());
    }
    String header = headerName(m, "assertion", "header", "X-Gatehouse-Assertion", seen);
    JWSAlgorithm algorithm = JWSAlgorithm.ES256;
    String algorithmName = m.string("algorithm", "ES256");
    if (algorithmName != null) {
      algorithm = JWSAlgorithm.parse(algorithmName.toUpperCase(Locale.ROOT));
      if (!ASSERTION_ALGORITHMS.contains(algorithm)) {
        problems.add(m.get("algorithm").orElseThrow(), "'" + algorithmName + "' (expected: ES256 or RS256)");
        algorithm = JWSAlgorithm.ES256;
      }
    }
    Duration lifetime = m.duration("lifetime", Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofMinutes(10));
    String audience = m.string("audience", null);
    if (audience != null && audience.isBlank()) {
      problems.add(m.get("audience").orElseThrow(), "must not be empty (omit it to use the route id)");
      audience = null;
    }
    Path keys = existingFile(m, "keys", false);
    Duration poll = m.duration("keysPollInterval", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofHours(1));
    m.finish();
    return new GatewayConfig.Assertion(header, algorithm, lifetime, audience, keys, poll);
  }

  /**
   * A header name under {@code key}; {@code seen} maps folded names already taken to the key that took them, so that
   * two settings cannot name the same header.
   */
  private String headerName(MappingReader m, String section, String key, String defaultName, Map<String, String> seen) {
    String name = m.string(key, defaultName);
    if (name == null) {
      return defaultName;
    }
    String folded = fold(name);
    String problem = null;
    if (!HEADER_NAME.matcher(name).matches()) {
      problem = "'" + name + "' (expected: a header name of letters, digits and '-', e.g. " + defaultName + ")";
    } else if (RESERVED_HEADERS.contains(folded)) {
      problem = "'" + name + "' is a header the gateway sets, removes or needs intact (expected: a name of its own, e.g. "
          + defaultName + ")";
    } else if (seen.containsKey(folded)) {
      problem = "'" + name + "' is already the name of " + seen.get(folded);
    }
    if (problem != null) {
      problems.add(m.get(key).orElseThrow(), problem);
      return defaultName;
    }
    seen.put(folded, section + "." + key);
    return name;
  }

  private static String fold(String headerName) {
    return headerName.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean requireSection(MappingReader top, String key, String why) {
    if (top.has(key)) {
      return true;
    }
    problems.add(top.node(), "missing required key '" + key + "' (" + why + ")");
    return false;
  }

  private Function<String, String> interpolation() {
    return text -> {
      if (text.indexOf("${") < 0) {
        return text;
      }
      Matcher m = ENV_REFERENCE.matcher(text);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String value = environment.get(m.group(1));
        if (value == null) {
          if (m.group(2) == null) {
            throw new IllegalArgumentException("environment variable " + m.group(1) + " is not set (write ${"
                + m.group(1) + ":-default} for a default)");
          }
          value = m.group(3);
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      return sb.toString();
    };
  }

  private GatewayConfig.Listener listener(MappingReader m) {
    String host = m.string("host", "0.0.0.0");
    int port = m.integer("port", 8443, 0, 65535);
    int instances = m.integer("instances", Runtime.getRuntime().availableProcessors(), 1, 256);
    Duration drain = m.duration("drainTimeout", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(10));
    GatewayConfig.ProxyProtocol proxyProtocol = m.has("proxyProtocol") ? proxyProtocol(m.mapping("proxyProtocol")) : null;
    m.finish();
    return new GatewayConfig.Listener(host, port, instances, drain, proxyProtocol);
  }

  /** {@code listen.proxyProtocol}: only with the peers allowed to send a PROXY header. */
  private GatewayConfig.ProxyProtocol proxyProtocol(MappingReader m) {
    List<AddressRange> sources = new ArrayList<>();
    for (Map.Entry<String, YamlNode> item : m.stringItems("trustedSources")) {
      try {
        sources.add(AddressRange.parse(item.getKey()));
      } catch (IllegalArgumentException e) {
        problems.add(item.getValue(), e.getMessage());
      }
    }
    if (!m.has("trustedSources")) {
      problems.add(m.node(), "missing required key 'trustedSources' (the load balancers allowed to send a PROXY "
          + "header; anyone else could claim any client address)");
    }
    Duration timeout = m.duration("timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(1));
    m.finish();
    return new GatewayConfig.ProxyProtocol(sources, timeout);
  }

  private GatewayConfig.Tls tls(MappingReader m) {
    Path certificate = null;
    Path key = null;
    Path pkcs12 = null;
    if (m.has("pkcs12")) {
      pkcs12 = existingFile(m, "pkcs12", true);
      if (m.has("certificate") || m.has("key")) {
        problems.add(m.keyPosition("pkcs12"), m.pointerOf("pkcs12"),
            "give either pkcs12 or certificate and key, not both");
      }
    } else {
      certificate = existingFile(m, "certificate", true);
      key = existingFile(m, "key", true);
    }
    Secret passphrase = m.secret("keyPassphrase", false);
    String hsts = m.string("hsts", "max-age=31536000; includeSubDomains");
    Duration reload = m.duration("reloadInterval", Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1));
    Duration expiryWarning = m.duration("expiryWarning", Duration.ofDays(30), Duration.ZERO, Duration.ofDays(365));
    if (hsts != null && !hsts.startsWith("max-age=")) {
      problems.add(m.get("hsts").orElseThrow(), "'" + hsts + "' (expected: a Strict-Transport-Security value starting with max-age=)");
    }
    m.finish();
    return new GatewayConfig.Tls(certificate, key, pkcs12, passphrase, hsts, reload, expiryWarning);
  }

  private List<GatewayConfig.Issuer> issuers(MappingReader top) {
    List<GatewayConfig.Issuer> issuers = new ArrayList<>();
    List<MappingReader> nodes = top.mappings("issuers");
    if (nodes.isEmpty()) {
      problems.add(top.node(), "missing required key 'issuers' (at least one token issuer)");
    }
    Set<String> ids = new HashSet<>();
    Set<URI> urls = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      MappingReader m = nodes.get(i);
      GatewayConfig.Issuer issuer = issuer(m, i);
      if (issuer == null) {
        continue;
      }
      if (!ids.add(issuer.id())) {
        problems.add(m.node(), "duplicate issuer id '" + issuer.id() + "'");
      } else if (!urls.add(issuer.issuer())) {
        problems.add(m.node(), "issuer " + issuer.issuer() + " is configured twice");
      } else {
        issuers.add(issuer);
      }
    }
    return issuers;
  }

  private GatewayConfig.Issuer issuer(MappingReader m, int index) {
    String id = m.string("id", "issuer-" + index);
    URI issuer = httpsUrl(m, "issuer", true);
    List<String> audiences = m.strings("audience");
    if (!m.has("audience")) {
      m.missing("audience");
    } else if (audiences.isEmpty()) {
      problems.add(m.get("audience").orElseThrow(), "must name at least one audience");
    }
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    List<String> algorithmNames = m.has("algorithms") ? m.strings("algorithms") : List.of("RS256");
    if (algorithmNames.isEmpty()) {
      // otherwise the issuer would be dropped below without a word, and its tokens refused at run time
      problems.add(m.get("algorithms").orElseThrow(), "must name at least one algorithm");
    }
    for (String a : algorithmNames) {
      JWSAlgorithm alg = JWSAlgorithm.parse(a.toUpperCase(Locale.ROOT));
      if (!ASYMMETRIC.contains(alg)) {
        problems.add(m.get("algorithms").orElseThrow(), "'" + a + "' is not allowed (expected: asymmetric algorithms "
            + "such as RS256, PS256, ES256; 'none' and HMAC are never accepted)");
      } else {
        algorithms.add(alg);
      }
    }
    ClaimMapping claims = claims(m.mapping("claims"));
    Duration skew = m.duration("clockSkew", Duration.ofSeconds(60), Duration.ZERO, Duration.ofMinutes(5));
    Duration refresh = m.duration("jwksRefreshInterval", Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofDays(1));
    Duration minRefresh = m.duration("jwksMinRefreshInterval", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1));
    Path trusted = existingFile(m, "trustedCertificates", false);
    URI jwksUri = httpsUrl(m, "jwksUri", false);
    m.finish();
    if (issuer == null || algorithms.isEmpty() || audiences.isEmpty()) {
      return null;
    }
    return new GatewayConfig.Issuer(id, issuer, new LinkedHashSet<>(audiences), algorithms, claims, skew, refresh,
        minRefresh, trusted, jwksUri);
  }

  private ClaimMapping claims(MappingReader m) {
    ClaimPath email = claimPath(m, "email", "email");
    List<ClaimPath> groups = new ArrayList<>();
    List<String> groupPaths = m.has("groups") ? m.strings("groups") : List.of("groups");
    for (String g : groupPaths) {
      try {
        groups.add(ClaimPath.parse(g));
      } catch (IllegalArgumentException e) {
        problems.add(m.get("groups").orElseThrow(), e.getMessage());
      }
    }
    ClaimPath tenant = claimPath(m, "tenant", "tenant");
    m.finish();
    return new ClaimMapping(email == null ? ClaimMapping.DEFAULT.email() : email, groups, tenant);
  }

  private ClaimPath claimPath(MappingReader m, String key, String defaultPath) {
    String text = m.string(key, defaultPath);
    try {
      return ClaimPath.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(m.get(key).orElseThrow(), e.getMessage());
      return null;
    }
  }

  private Path policies(MappingReader m) {
    String dir = m.requiredString("directory");
    if (dir == null) {
      return null;
    }
    Path path = resolve(dir);
    if (!Files.isDirectory(path)) {
      problems.add(m.get("directory").orElseThrow(), path + " is not a directory");
    }
    return path;
  }

  private GatewayConfig.Admin admin(MappingReader m) {
    String host = m.string("host", "127.0.0.1");
    int port = m.integer("port", 9443, 0, 65535);
    Path clientCa = existingFile(m, "clientCa", true);
    m.finish();
    return new GatewayConfig.Admin(host, port, clientCa);
  }

  private GatewayConfig.Upstreams upstreams(MappingReader m) {
    Duration connect = m.duration("connectTimeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(5));
    Duration response = m.duration("responseTimeout", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1));
    int pool = m.integer("maxConnectionsPerUpstream", 256, 1, 100_000);
    Path trusted = existingFile(m, "trustedCertificates", false);
    boolean retry = m.bool("retry", true);
    GatewayConfig.CircuitBreaker breaker = GatewayConfig.CircuitBreaker.OFF;
    if (m.has("circuitBreaker")) {
      MappingReader b = m.mapping("circuitBreaker");
      breaker = new GatewayConfig.CircuitBreaker(b.integer("failureThreshold", 5, 0, 10_000),
          b.duration("openDuration", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1)));
      b.finish();
    }
    m.finish();
    return new GatewayConfig.Upstreams(connect, response, pool, trusted, retry, breaker);
  }

  /** {@code limits:} what one client may send, and for how long (see {@link GatewayConfig.Limits}). */
  private GatewayConfig.Limits limits(MappingReader m) {
    GatewayConfig.Limits d = GatewayConfig.Limits.DEFAULTS;
    int requestLine = (int) m.size("maxRequestLine", d.maxRequestLine(), 256, 1 << 20);
    int uri = m.integer("maxUriLength", d.maxUriLength(), 64, 1 << 20);
    int query = m.integer("maxQueryLength", Math.min(uri, d.maxQueryLength()), 0, 1 << 20);
    int headerSize = (int) m.size("maxHeaderSize", d.maxHeaderSize(), 1024, 1 << 20);
    int headers = m.integer("maxHeaders", d.maxHeaders(), 1, 10_000);
    long body = m.size("maxBodySize", d.maxBodySize(), 0, 1L << 40);
    int connections = m.integer("maxConnections", d.maxConnections(), 1, 10_000_000);
    int streams = m.integer("http2MaxConcurrentStreams", d.http2MaxConcurrentStreams(), 1, 10_000);
    Duration idle = m.duration("idleTimeout", d.idleTimeout(), Duration.ofSeconds(1), Duration.ofHours(1));
    Duration header = m.duration("headerTimeout", d.headerTimeout(), Duration.ofMillis(100), Duration.ofMinutes(10));
    Duration handshake = m.duration("handshakeTimeout", d.handshakeTimeout(), Duration.ofMillis(100), Duration.ofMinutes(5));
    if (query > uri && m.has("maxQueryLength")) {
      problems.add(m.get("maxQueryLength").orElseThrow(), query + " is longer than maxUriLength (" + uri + "), which "
          + "includes the query");
    }
    m.finish();
    return new GatewayConfig.Limits(requestLine, uri, query, headerSize, headers, body, connections, streams, idle,
        header, handshake);
  }

  /** {@code rateLimits:} token buckets for failed authentication (routes set their own in policy files). */
  private GatewayConfig.RateLimits rateLimits(MappingReader m) {
    GatewayConfig.RateLimits d = GatewayConfig.RateLimits.DEFAULTS;
    MappingReader failed = m.mapping("failedAuth");
    var perAddress = RateLimit.read(failed, "perAddress", d.failedAuthPerAddress().orElse(null));
    var perSubject = RateLimit.read(failed, "perSubject", d.failedAuthPerSubject().orElse(null));
    failed.finish();
    int tracked = m.integer("maxTrackedKeys", d.maxTrackedKeys(), 100, 10_000_000);
    m.finish();
    return new GatewayConfig.RateLimits(perAddress, perSubject, tracked);
  }

  private GatewayConfig.AccessLog accessLog(MappingReader m) {
    boolean stdout = m.bool("stdout", true);
    List<GatewayConfig.LogFile> files = logFiles(m);
    List<String> redact = new ArrayList<>(DEFAULT_REDACTED);
    for (String extra : m.strings("redact")) {
      redact.add(extra.toLowerCase(Locale.ROOT));
    }
    ChainKey key = chainKey(m);
    int queueCapacity = m.integer("queueCapacity", EventLog.Options.DEFAULTS.queueCapacity(), 16, 10_000_000);
    EventLog.FailurePolicy onFailure = failurePolicy(m);
    List<AddressRange> trustedProxies = new ArrayList<>();
    for (Map.Entry<String, YamlNode> item : m.stringItems("trustedProxies")) {
      try {
        trustedProxies.add(AddressRange.parse(item.getKey()));
      } catch (IllegalArgumentException e) {
        problems.add(item.getValue(), e.getMessage());
      }
    }
    m.finish();
    if (!stdout && files.isEmpty() && !m.has("file")) {
      problems.add(m.node(), "access events must go somewhere: set 'stdout: true' or 'file'");
    }
    return new GatewayConfig.AccessLog(stdout, files, redact, key, queueCapacity, onFailure, trustedProxies);
  }

  /** {@code file}: a path, a mapping with {@code path}, {@code maxSize} and {@code maxAge}, or a list of these. */
  private List<GatewayConfig.LogFile> logFiles(MappingReader m) {
    YamlNode node = m.get("file").orElse(null);
    if (node == null || (node instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.NULL)) {
      return List.of();
    }
    List<YamlNode> items = node instanceof YamlNode.Sequence seq ? seq.items() : List.of(node);
    List<GatewayConfig.LogFile> files = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (YamlNode item : items) {
      GatewayConfig.LogFile logFile = logFile(m, item);
      if (logFile == null) {
        continue;
      }
      if (!seen.add(logFile.path())) {
        problems.add(item, logFile.path() + " is listed twice");
      } else {
        files.add(logFile);
      }
    }
    return files;
  }

  private GatewayConfig.LogFile logFile(MappingReader parent, YamlNode item) {
    Duration defaultAge = Duration.ofDays(1);
    long defaultSize = 100L << 20;
    if (!(item instanceof YamlNode.Mapping)) {
      String text = parent.scalarText(item, null);
      return text == null ? null : new GatewayConfig.LogFile(resolve(text), defaultSize, defaultAge);
    }
    MappingReader f = MappingReader.of(item, problems, interpolation());
    String text = f.requiredString("path");
    long maxSize = f.size("maxSize", defaultSize, 1024, 1L << 40);
    Duration maxAge = f.duration("maxAge", defaultAge, Duration.ofMinutes(1), Duration.ofDays(366));
    f.finish();
    return text == null ? null : new GatewayConfig.LogFile(resolve(text), maxSize, maxAge);
  }

  /** The HMAC key, from a file or an environment variable; never from the YAML itself. */
  private ChainKey chainKey(MappingReader m) {
    String fileText = m.string("hmacKeyFile", null);
    String envName = m.string("hmacKeyEnv", null);
    if (fileText != null && envName != null) {
      problems.add(m.get("hmacKeyEnv").orElseThrow(), "set either hmacKeyFile or hmacKeyEnv, not both");
      return null;
    }
    try {
      if (fileText != null) {
        Path keyFile = resolve(fileText);
        try {
          return ChainKey.fromFile(keyFile);
        } catch (IOException e) {
          problems.add(m.get("hmacKeyFile").orElseThrow(), "cannot read " + keyFile);
          return null;
        }
      }
      if (envName != null) {
        if (!ENV_NAME.matcher(envName).matches()) {
          problems.add(m.get("hmacKeyEnv").orElseThrow(), "'" + envName + "' (expected: the name of an environment "
              + "variable that holds the key, not the key)");
          return null;
        }
        String value = environment.get(envName);
        if (value == null) {
          problems.add(m.get("hmacKeyEnv").orElseThrow(), "environment variable " + envName + " is not set");
          return null;
        }
        return ChainKey.fromText(value, "environment variable " + envName);
      }
    } catch (IllegalArgumentException e) {
      problems.add(m.get(fileText != null ? "hmacKeyFile" : "hmacKeyEnv").orElseThrow(), e.getMessage());
    }
    return null;
  }

  private EventLog.FailurePolicy failurePolicy(MappingReader m) {
    String text = m.string("onFailure", EventLog.FailurePolicy.DENY.code());
    for (EventLog.FailurePolicy p : EventLog.FailurePolicy.values()) {
      if (p.code().equals(text)) {
        return p;
      }
    }
    problems.add(m.get("onFailure").orElseThrow(), "'" + text + "' (expected: deny or serve)");
    return EventLog.FailurePolicy.DENY;
  }

  private GatewayConfig.Browser browser(MappingReader m, MappingReader top, List<GatewayConfig.Issuer> issuers) {
    String issuerId = m.requiredString("issuer");
    if (issuerId != null && issuers.stream().noneMatch(i -> i.id().equals(issuerId))
        && !top.mappings("issuers").isEmpty()) {
      problems.add(m.get("issuer").orElseThrow(), "'" + issuerId + "' is not the id of a configured issuer (expected one "
          + "of: " + String.join(", ", issuers.stream().map(GatewayConfig.Issuer::id).toList()) + ")");
    }
    String clientId = m.requiredString("clientId");
    Secret clientSecret = m.secret("clientSecret", false);
    List<String> scopes = m.has("scopes") ? m.strings("scopes") : List.of("openid", "email", "profile");
    if (m.has("scopes") && !scopes.contains("openid")) {
      problems.add(m.get("scopes").orElseThrow(), "must include openid (sign-in needs an ID token)");
    }
    for (String scope : scopes) {
      if (!SCOPE.matcher(scope).matches()) {
        problems.add(m.get("scopes").orElseThrow(), "'" + scope + "' is not a scope (RFC 6749 section 3.3: visible "
            + "ASCII without spaces, quotes or backslashes)");
      }
    }
    URI origin = publicOrigin(m);
    GatewayConfig.Session session = session(m.mapping("session"));
    m.finish();
    if (issuerId == null || clientId == null || origin == null) {
      return null;
    }
    return new GatewayConfig.Browser(issuerId, clientId, clientSecret, scopes, origin, session);
  }

  /** An https origin without path, query or fragment: the redirect URI and every return URL are built on it. */
  private URI publicOrigin(MappingReader m) {
    URI uri = httpsUrl(m, "publicOrigin", true);
    if (uri == null) {
      return null;
    }
    boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
        && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
    if (!bare) {
      problems.add(m.get("publicOrigin").orElseThrow(), "'" + uri + "' (expected: an origin without path, query or "
          + "user, e.g. https://gatehouse.example.com or https://gatehouse.example.com:8443)");
      return null;
    }
    return URI.create("https://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 || uri.getPort() == 443
        ? "" : ":" + uri.getPort()));
  }

  private GatewayConfig.Session session(MappingReader m) {
    Path keys = existingFile(m, "cookieKeys", false);
    Duration poll = m.duration("keysPollInterval", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofHours(1));
    Duration absolute = m.duration("absoluteTimeout", Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofDays(90));
    Duration defaultIdle = Duration.ofHours(8).compareTo(absolute) < 0 ? Duration.ofHours(8) : absolute;
    Duration idle = m.duration("idleTimeout", defaultIdle, Duration.ofMinutes(5), Duration.ofDays(30));
    Duration refreshBefore = m.duration("refreshBefore", Duration.ofMinutes(1), Duration.ZERO, Duration.ofHours(1));
    if (idle.compareTo(absolute) > 0) {
      problems.add(m.get("idleTimeout").orElseThrow(), Quantities.format(idle) + " is longer than absoluteTimeout "
          + Quantities.format(absolute) + " (expected: idleTimeout <= absoluteTimeout)");
    }
    m.finish();
    return new GatewayConfig.Session(keys, poll, idle, absolute, refreshBefore);
  }

  private Path existingFile(MappingReader m, String key, boolean required) {
    String text = required ? m.requiredString(key) : m.string(key, null);
    if (text == null) {
      return null;
    }
    Path path = resolve(text);
    if (!Files.isReadable(path)) {
      problems.add(m.get(key).orElseThrow(), "cannot read " + path);
    }
    return path;
  }

  private URI httpsUrl(MappingReader m, String key, boolean required) {
    String text = required ? m.requiredString(key) : m.string(key, null);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        problems.add(m.get(key).orElseThrow(), "'" + text + "' (expected: an https:// URL)");
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      problems.add(m.get(key).orElseThrow(), "'" + text + "' is not a URL");
      return null;
    }
  }

  private Path resolve(String text) {
    Path p = Path.of(text);
    if (p.isAbsolute()) {
      return p;
    }
    Path base = file.toAbsolutePath().getParent();
    return base == null ? p.toAbsolutePath() : base.resolve(p).normalize();
  }
}

package dev.gatehouse.testing;

import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import dev.gatehouse.proxy.Gateway;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway for integration tests, started through {@link Gateway#start} (the production entry point) from a
 * real {@code gatehouse.yaml} and real policy files in a temporary directory, with real TLS on an ephemeral port.
 * Policy text may use {@code ${UPSTREAM}} for the test upstream's URL.
 */
public final class TestGateway implements AutoCloseable {

  /** A response as a client saw it. */
  public record Response(int status, MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  private static final Vertx CLIENT_VERTX = Vertx.vertx();

  private final Vertx vertx;
  private final Gateway gateway;
  private final Path dir;
  private final HttpClient client;
  private final HttpClient h2Client;
  private int eventsSeen;

  private TestGateway(Vertx vertx, Gateway gateway, Path dir) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.dir = dir;
    this.client = CLIENT_VERTX.createHttpClient(clientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    this.h2Client = CLIENT_VERTX.createHttpClient(clientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true));
  }

  public static HttpClientOptions clientOptions() {
    return new HttpClientOptions()
        .setSsl(true)
        .setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(TestPki.ca().certificate().toString()));
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private final Map<String, String> policies = new LinkedHashMap<>();
    private final Map<String, String> sections = new LinkedHashMap<>();
    private TestIdp idp;
    private String issuer;
    private String issuerOptions = "";
    private RecordingUpstream upstream;
    private InstantSource clock = InstantSource.system();
    private String issuerClaims = "groups: [groups]\n      tenant: tenant";
    private String certificate = TestPki.server().certificate().toString();
    private String key = TestPki.server().key().toString();
    private String tlsSection;
    private int port;

    public Builder idp(TestIdp idp) {
      this.idp = idp;
      return this;
    }

    /** Trusts an issuer by URL (instead of a {@link TestIdp}), e.g. a {@link JwksServer}. */
    public Builder issuer(String issuerUrl) {
      this.issuer = issuerUrl;
      return this;
    }

    /** Extra keys for the issuer entry, one per line, e.g. {@code "jwksMinRefreshInterval: 5s"}. */
    public Builder issuerOptions(String lines) {
      this.issuerOptions = lines;
      return this;
    }

    public Builder upstream(RecordingUpstream upstream) {
      this.upstream = upstream;
      return this;
    }

    public Builder policy(String fileName, String yaml) {
      policies.put(fileName, yaml);
      return this;
    }

    /** Replaces a top-level section of gatehouse.yaml, e.g. {@code section("upstreams", "responseTimeout: 1s")}. */
    public Builder section(String name, String body) {
      sections.put(name, body);
      return this;
    }

    /**
     * Turns on browser sign-in with the test IdP as client {@code clientId}: the gateway listens on a port chosen
     * now, so that its public origin (https://localhost:PORT) is known before it starts. {@code extra} holds further
     * lines of the browser section (e.g. a session section).
     */
    public Builder browser(String clientId, String extra) {
      this.port = freePort();
      sections.put("browser", "issuer: test\nclientId: " + clientId + "\npublicOrigin: https://localhost:" + port
          + (extra.isEmpty() ? "" : "\n" + extra));
      return this;
    }

    private static int freePort() {
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Replaces the whole tls section (for encrypted keys and PKCS#12 tests). */
    public Builder tls(String section) {
      this.tlsSection = section;
      return this;
    }

    public Builder certificate(Path certificate, Path key) {
      this.certificate = certificate.toString();
      this.key = key.toString();
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    /** Writes the files and returns the config path without starting (for start-up failure tests). */
    public Path write() {
      try {
        Path dir = Files.createTempDirectory(TestPki.directory().getParent(), "gateway-");
        Path policyDir = Files.createDirectories(dir.resolve("policies"));
        for (Map.Entry<String, String> p : policies.entrySet()) {
          // without a test upstream, routes point at the discard port: nothing listens there
          String text = p.getValue().replace("${UPSTREAM}", upstream == null ? "http://127.0.0.1:9" : upstream.url());
          Files.writeString(policyDir.resolve(p.getKey()), text);
        }
        Files.writeString(dir.resolve("gatehouse.yaml"), configText());
        return dir.resolve("gatehouse.yaml");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private String configText() {
      Map<String, String> s = new LinkedHashMap<>();
      s.put("name", null);
      s.put("listen", "host: 127.0.0.1\nport: " + port + "\ninstances: 2");
      s.put("tls", tlsSection != null ? tlsSection : "certificate: " + certificate + "\nkey: " + key);
      String issuerUrl = idp != null ? idp.issuer() : issuer;
      if (issuerUrl != null) {
        s.put("issuers", "- id: test\n  issuer: " + issuerUrl + "\n  audience: " + TestIdp.AUDIENCE
            + "\n  trustedCertificates: " + TestPki.ca().certificate() + "\n  claims:\n      " + issuerClaims
            + (issuerOptions.isEmpty() ? "" : "\n  " + issuerOptions.replace("\n", "\n  ")));
      }
      s.put("policies", "directory: policies");
      s.put("upstreams", "responseTimeout: 2s");
      s.put("accessLog", "stdout: false\nfile: access.log");
      s.putAll(sections);
      StringBuilder yaml = new StringBuilder("name: gatehouse-test\n");
      s.forEach((k, v) -> {
        if (v != null) {
          yaml.append(k).append(":\n");
          for (String line : v.split("\n")) {
            yaml.append("  ").append(line).append('\n');
          }
        }
      });
      return yaml.toString();
    }

    public TestGateway start() {
      Path config = write();
      Vertx vertx = Vertx.vertx(new VertxOptions()
          .setBlockedThreadCheckInterval(200)
          .setMaxEventLoopExecuteTime(1000)
          .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
      try {
        GatewayConfig cfg = GatewayConfigLoader.load(config);
        Gateway gateway = Gateway.start(vertx, cfg, clock).await(60, TimeUnit.SECONDS);
        return new TestGateway(vertx, gateway, config.getParent());
      } catch (Exception e) {
        vertx.close();
        throw new IllegalStateException("the test gateway did not start: " + e.getMessage(), e);
      }
    }
  }

  public Gateway gateway() {
    return gateway;
  }

  /** Rewrites (or creates) a policy file; {@code ${UPSTREAM}} is replaced as at start. */
  public void writePolicy(String fileName, String yaml, RecordingUpstream upstream) {
    try {
      String text = yaml.replace("${UPSTREAM}", upstream == null ? "http://127.0.0.1:9" : upstream.url());
      Path target = dir.resolve("policies").resolve(fileName);
      // write-then-rename, as editors and ConfigMaps do, so the watcher never sees half a file
      Path temp = Files.createTempFile(dir, "policy", ".tmp");
      Files.writeString(temp, text);
      Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Completes with the result of the next reload attempt; register before causing the change. */
  public java.util.concurrent.CompletableFuture<dev.gatehouse.policy.ReloadResult> nextReload() {
    java.util.concurrent.CompletableFuture<dev.gatehouse.policy.ReloadResult> next = new java.util.concurrent.CompletableFuture<>();
    gateway.onPolicyReload(next::complete);
    return next;
  }

  public Path dir() {
    return dir;
  }

  public int port() {
    return gateway.port();
  }

  public Vertx vertx() {
    return vertx;
  }

  public HttpClient client() {
    return client;
  }

  public Response get(String uri, String token) {
    return send(HttpMethod.GET, uri, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), null);
  }

  public Response send(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    return send(client, method, uri, headers, body);
  }

  public Response sendHttp2(HttpMethod method, String uri, Map<String, String> headers) {
    return send(h2Client, method, uri, headers, null);
  }

  private Response send(HttpClient c, HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    RequestOptions options = new RequestOptions().setHost("localhost").setPort(port()).setMethod(method).setURI(uri);
    headers.forEach(options::putHeader);
    Future<Response> response = c.request(options)
        .compose(request -> (body == null ? request.send() : request.send(body))
            .compose(r -> r.body().map(b -> new Response(r.statusCode(),
                MultiMap.caseInsensitiveMultiMap().addAll(r.headers()), b.toString(StandardCharsets.UTF_8)))));
    try {
      return response.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no response within 30 seconds", e);
    }
  }

  /**
   * Every event written so far to {@code access.log} and the files rotated out of it, in order (waits until the log
   * has written everything recorded before the call).
   */
  public List<JsonObject> events() {
    try {
      awaitEvents();
      List<JsonObject> out = new ArrayList<>();
      for (Path log : logFiles()) {
        for (String line : Files.readAllLines(log)) {
          if (!line.isBlank()) {
            out.add(new JsonObject(line));
          }
        }
      }
      return out;
    } catch (Exception e) {
      throw new AssertionError("cannot read the access log", e);
    }
  }

  /** The one access event of the request with this id; fails unless there is exactly one. */
  public JsonObject eventOf(String requestId) {
    List<JsonObject> matching = events().stream().filter(e -> requestId.equals(e.getString("request_id"))).toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one access event for request " + requestId + ", found " + matching);
    }
    return matching.get(0);
  }

  /**
   * Waits until the event of every response the test has received so far is recorded and written (or counted lost).
   * A response's last bytes are written before its end handler records the access event, in the same event-loop
   * task, so a client may have the whole response while that task still runs: a no-op task queued on every event
   * loop runs after it. Then the log's flush barrier waits for the writer.
   */
  public void awaitEvents() {
    try {
      for (io.netty.util.concurrent.EventExecutor loop : ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup()) {
        loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
      }
      gateway.events().flush().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the event log did not catch up", e);
    }
  }

  /** {@code access.log.<time>} files in the order they were closed, then {@code access.log}. */
  public List<Path> logFiles() {
    try (var files = Files.list(dir)) {
      List<Path> rotated = new ArrayList<>(files
          .filter(p -> p.getFileName().toString().startsWith("access.log.")).sorted().toList());
      if (Files.exists(dir.resolve("access.log"))) {
        rotated.add(dir.resolve("access.log"));
      }
      return rotated;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Access events written since the previous call of this method. */
  public List<JsonObject> newEvents() {
    List<JsonObject> all = events().stream().filter(e -> "access".equals(e.getString("type"))).toList();
    List<JsonObject> fresh = all.subList(Math.min(eventsSeen, all.size()), all.size());
    eventsSeen = all.size();
    return fresh;
  }

  @Override
  public void close() {
    try {
      gateway.stop().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the gateway did not stop", e);
    } finally {
      client.close();
      h2Client.close();
      vertx.close();
    }
    List<String> blocked = BlockedThreadWarnings.drain();
    if (!blocked.isEmpty()) {
      throw new AssertionError("the gateway blocked an event loop: " + blocked);
    }
  }
}

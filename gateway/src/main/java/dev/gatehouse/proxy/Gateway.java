package dev.gatehouse.proxy;

import dev.gatehouse.admin.AdminServer;
import dev.gatehouse.admin.GatewayMetrics;
import dev.gatehouse.admin.Readiness;
import dev.gatehouse.audit.EventLog;
import dev.gatehouse.audit.EventLogStats;
import dev.gatehouse.audit.EventSink;
import dev.gatehouse.audit.QueryRedactor;
import dev.gatehouse.audit.RotatingFileSink;
import dev.gatehouse.audit.ShutdownEvent;
import dev.gatehouse.audit.StartupEvent;
import dev.gatehouse.audit.StdoutSink;
import dev.gatehouse.audit.TrustedProxies;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.identity.AssertionSigner;
import dev.gatehouse.identity.CookieSealer;
import dev.gatehouse.identity.IdTokenVerifier;
import dev.gatehouse.identity.SessionCodec;
import dev.gatehouse.identity.SessionFactory;
import dev.gatehouse.identity.SessionKeyStore;
import dev.gatehouse.identity.SessionRefresher;
import dev.gatehouse.identity.SignInStates;
import dev.gatehouse.identity.TokenEndpoint;
import dev.gatehouse.identity.IdpClient;
import dev.gatehouse.identity.KeyRingException;
import dev.gatehouse.identity.KeyRingStore;
import dev.gatehouse.identity.TokenCache;
import dev.gatehouse.identity.TokenVerifier;
import dev.gatehouse.identity.TrustedIssuer;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.PolicyClaims;
import dev.gatehouse.policy.PolicyDirectory;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.PolicyReloader;
import dev.gatehouse.policy.PolicyStatus;
import dev.gatehouse.policy.PolicyStore;
import dev.gatehouse.policy.RecentRequests;
import dev.gatehouse.policy.ReloadResult;
import dev.gatehouse.tls.CertificateReloader;
import dev.gatehouse.tls.ServerCertificate;
import dev.gatehouse.tls.ServerTls;
import dev.gatehouse.tls.TlsException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: boot and wiring only. {@link #start} is the production entry point and the one tests use, so
 * tests exercise exactly what runs in production. Start-up refuses to proceed with an invalid certificate or policy;
 * an unreachable IdP does not stop it (its tokens are refused until its keys arrive).
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  /** Thrown (as a failed start) when the gateway must not start; the message says why, for the operator. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Everything a running gateway owns besides its listeners. */
  private record Parts(PolicyStore policies, PolicyReloader reloader, EventLog events, List<TrustedIssuer> issuers,
      List<IdpClient> idpClients, KeyRingStore signingKeys, SessionKeyStore sessionKeys, BrowserSignIn browser,
      OpenTunnels tunnels, long tunnelSweep, GatewayMetrics metrics, CertificateReloader certificates,
      ExchangeRecorder exchanges, InstantSource clock, Instant startedAt) {}

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Parts parts;
  private final String deploymentId;
  private final int port;
  private final AtomicReference<HttpServer> mainServer;
  private HttpServer adminServer;
  private volatile boolean draining;

  private Gateway(Vertx vertx, GatewayConfig config, Parts parts, String deploymentId, int port,
      AtomicReference<HttpServer> mainServer) {
    this.vertx = vertx;
    this.config = config;
    this.parts = parts;
    this.deploymentId = deploymentId;
    this.port = port;
    this.mainServer = mainServer;
  }

  /** False once shutdown has begun: readiness probes should take the replica out of rotation. */
  public boolean accepting() {
    return !draining;
  }

  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, InstantSource.system());
  }

  /** Starts a gateway whose notion of time (token expiry, MFA age) comes from {@code clock}. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, InstantSource clock) {
    return vertx.executeBlocking(() -> load(config, clock), false).compose(loaded -> {
      GatewayMetrics metrics = new GatewayMetrics();
      List<TrustedIssuer> issuers = new ArrayList<>();
      List<IdpClient> clients = new ArrayList<>();
      List<Future<?>> firstFetches = new ArrayList<>();
      for (GatewayConfig.Issuer issuerConfig : config.issuers()) {
        IdpClient client = new IdpClient(vertx, issuerConfig.trustedCertificates(), Duration.ofSeconds(5));
        TrustedIssuer issuer = new TrustedIssuer(issuerConfig, client, clock, metrics);
        clients.add(client);
        issuers.add(issuer);
        firstFetches.add(issuer.start(vertx).recover(e -> Future.succeededFuture()));
      }
      TokenVerifier verifier = new TokenVerifier(issuers, new TokenCache(100_000, Duration.ofMinutes(5), clock), metrics);
      RecentRequests recent = new RecentRequests(512);
      PolicyReloader reloader = new PolicyReloader(vertx, config.policyDirectory(), loaded.policies(), loaded.events(),
          clock, recent, config.policyPollInterval(), loaded.policyFingerprint());
      OpenTunnels tunnels = new OpenTunnels(clock);
      reloader.onReload(result -> {
        metrics.policyReload(result.outcome(), result.inForce().version());
        if (result instanceof ReloadResult.Applied applied) {
          tunnels.recheck(applied.inForce());
        }
      });
      metrics.policyVersion(loaded.policies().current().version());
      publishEventLog(metrics, loaded.events());
      long sweep = tunnels.sweepExpired(vertx, Duration.ofSeconds(1));
      GatewayConfig.Assertion assertion = config.assertion();
      AssertionSigner signer = new AssertionSigner(config.name(), assertion.lifetime(), assertion.audience(),
          loaded.signingKeys(), clock);
      SignInEndpoints signInEndpoints = config.browser() == null ? null
          : browserSignIn(config.browser(), issuers, clients, loaded, clock);
      BrowserSignIn browser = signInEndpoints == null ? null : signInEndpoints.browser();
      ExchangeRecorder exchanges = new ExchangeRecorder(loaded.events(), metrics::exchange);
      GatewayContext context = new GatewayContext(loaded.policies(), verifier, loaded.events(), clock, config.name(),
          config.tls().hsts(), new ForwardingHeaders(config.identityHeaders(), assertion.header()), signer,
          new GatewayEndpoints(loaded.signingKeys(), signInEndpoints), recent, tunnels,
          new TrustedProxies(config.accessLog().trustedProxies()), exchanges, browser);
      loaded.signingKeys().start(vertx, assertion.keysPollInterval(), loaded.events()::record);
      if (loaded.sessionKeys() != null) {
        loaded.sessionKeys().start(vertx, config.browser().session().keysPollInterval(), clock,
            loaded.events()::record);
      }
      HttpServerOptions serverOptions = serverOptions(config, loaded.certificate());
      Safeguards safeguards = new Safeguards(config, clock);
      AtomicInteger actualPort = new AtomicInteger();
      AtomicReference<HttpServer> mainServer = new AtomicReference<>();
      AtomicReference<HttpServer> adminServer = new AtomicReference<>();
      CertificateReloader certificates;
      try {
        certificates = new CertificateReloader(vertx, config.tls(), config.admin() == null ? null
            : config.admin().clientCa(), loaded.events(), clock, loaded.installed(),
            installed -> install(installed, mainServer.get(), adminServer.get(), metrics));
      } catch (IOException e) {
        return Future.failedFuture(new StartupException("cannot read the certificate files: " + e.getMessage(), e));
      }
      metrics.certificate(loaded.certificate().notAfter());
      Parts parts = new Parts(loaded.policies(), reloader, loaded.events(), issuers, clients, loaded.signingKeys(),
          loaded.sessionKeys(), browser, tunnels, sweep, metrics, certificates, exchanges, clock, loaded.startedAt());
      return Future.join(firstFetches)
          .transform(ignored -> vertx.deployVerticle(
              () -> new GatewayVerticle(context, config.upstreams(), serverOptions, actualPort,
                  config.listener().drainTimeout(), metrics, mainServer, safeguards),
              new DeploymentOptions().setInstances(config.listener().instances())))
          .compose(id -> {
            Gateway gateway = new Gateway(vertx, config, parts, id, actualPort.get(), mainServer);
            return gateway.startAdmin(loaded.installed()).map(admin -> {
              adminServer.set(admin);
              gateway.adminServer = admin;
              return gateway;
            });
          })
          .map(gateway -> {
            CompiledPolicy policy = loaded.policies().current();
            LOG.info("gatehouse listening on https://{}:{} with policy {} ({} routes){}", config.listener().host(),
                gateway.port, policy.version(), policy.routes().size(), gateway.adminServer == null ? ""
                    : "; admin on https://" + config.admin().host() + ":" + gateway.adminServer.actualPort());
            reloader.start();
            certificates.start();
            return gateway;
          })
          .onFailure(e -> {
            vertx.cancelTimer(sweep);
            loaded.signingKeys().stop(vertx);
            if (loaded.sessionKeys() != null) {
              loaded.sessionKeys().stop(vertx);
            }
            issuers.forEach(i -> i.stop(vertx));
            clients.forEach(IdpClient::close);
            vertx.executeBlocking(() -> {
              closeEventLog(loaded.events(), "start-failed", loaded.policies(), clock, loaded.startedAt());
              return null;
            }, false);
          });
    });
  }

  /** Installs a reloaded certificate (and admin CA) into the running listeners; open connections keep theirs. */
  private static Future<?> install(CertificateReloader.Installed installed, HttpServer main, HttpServer admin,
      GatewayMetrics metrics) {
    List<Future<?>> updates = new ArrayList<>();
    updates.add(main.updateSSLOptions(ServerTls.sslOptions(installed.certificate())));
    if (admin != null) {
      updates.add(admin.updateSSLOptions(ServerTls.adminSslOptions(installed.certificate(),
          Buffer.buffer(installed.adminCa()))));
    }
    return Future.all(updates).onSuccess(v -> metrics.certificate(installed.certificate().notAfter()));
  }

  /** Browser sign-in with the configured issuer's keys, discovery and HTTP client. */
  private static SignInEndpoints browserSignIn(GatewayConfig.Browser config, List<TrustedIssuer> issuers,
      List<IdpClient> clients, Loaded loaded, InstantSource clock) {
    int index = -1;
    for (int i = 0; i < issuers.size(); i++) {
      if (issuers.get(i).config().id().equals(config.issuerId())) {
        index = i;
      }
    }
    if (index < 0) {
      throw new StartupException("browser.issuer '" + config.issuerId() + "' is not a configured issuer", null);
    }
    TrustedIssuer issuer = issuers.get(index);
    GatewayConfig.Session session = config.session();
    CookieSealer sealer = new CookieSealer(loaded.sessionKeys());
    SessionCodec codec = new SessionCodec(sealer, session.idleTimeout(), session.absoluteTimeout(), clock);
    SessionFactory factory = new SessionFactory(issuer.config().claims(), new PolicyClaimNames(loaded.policies()), clock);
    TokenEndpoint tokens = new TokenEndpoint(clients.get(index), issuer, config.clientId(), config.clientSecret());
    IdTokenVerifier idTokens = new IdTokenVerifier(issuer, config.clientId(), clock);
    SessionRefresher refresher = new SessionRefresher(tokens, idTokens, factory, clock, session.refreshBefore());
    SignInStates signIns = new SignInStates(sealer, clock);
    BrowserSignIn browser = new BrowserSignIn(config, issuer, codec, signIns, refresher, clock);
    return new SignInEndpoints(browser, config, issuer, codec, signIns, factory, tokens, idTokens, clock);
  }

  /** The claim names the policy in force reads, computed once per policy generation. */
  private static final class PolicyClaimNames implements java.util.function.Supplier<java.util.Set<String>> {
    private record Computed(CompiledPolicy policy, java.util.Set<String> names) {}

    private final PolicyStore policies;
    private final java.util.concurrent.atomic.AtomicReference<Computed> last = new java.util.concurrent.atomic.AtomicReference<>();

    PolicyClaimNames(PolicyStore policies) {
      this.policies = policies;
    }

    @Override
    public java.util.Set<String> get() {
      CompiledPolicy policy = policies.current();
      Computed known = last.get();
      if (known != null && known.policy() == policy) {
        return known.names();
      }
      Computed fresh = new Computed(policy, PolicyClaims.referencedBy(policy));
      last.set(fresh);
      return fresh.names();
    }
  }

  private Future<HttpServer> startAdmin(CertificateReloader.Installed installed) {
    GatewayConfig.Admin admin = config.admin();
    if (admin == null) {
      return Future.succeededFuture(null);
    }
    HttpServerOptions options = ServerTls.applyAdmin(new HttpServerOptions().setHost(admin.host()).setPort(admin.port())
        .setIdleTimeout(120), installed.certificate(), Buffer.buffer(installed.adminCa()));
    return AdminServer.listen(vertx, options, new AdminServer(adminView(), parts.metrics(), parts.clock()));
  }

  /** What the admin listener may see and do. */
  private AdminServer.Gateway adminView() {
    return new AdminServer.Gateway() {
      public boolean accepting() {
        return Gateway.this.accepting();
      }

      public PolicyStatus policyStatus() {
        return Gateway.this.policyStatus();
      }

      public Future<ReloadResult> reloadPolicy(String trigger) {
        return Gateway.this.reloadPolicy(trigger);
      }

      public String jwks() {
        return Gateway.this.jwks();
      }

      public Readiness readiness() {
        return Gateway.this.readiness();
      }

      public EventLog events() {
        return parts.events();
      }
    };
  }

  /** Whether this replica should get traffic, and if not, why. */
  public Readiness readiness() {
    Instant now = parts.clock().instant();
    Readiness.Builder r = Readiness.builder()
        .check("accepting", accepting(), "shutting down")
        .check("certificate", parts.certificates().certificate().notAfter().isAfter(now), "the server certificate expired")
        .check("event_log", parts.events().stats().writable(), "the event log cannot be written");
    for (TrustedIssuer issuer : parts.issuers()) {
      r.check("issuer:" + issuer.config().id(), issuer.keys().fetchedAt() != null,
          "the issuer's keys have never been fetched" + (issuer.lastError() == null ? "" : ": " + issuer.lastError()));
    }
    return r.build();
  }

  private static void publishEventLog(GatewayMetrics metrics, EventLog events) {
    EventLogStats stats = events.stats();
    metrics.gauge("gateway.events.queued", "events recorded but not yet written", stats, EventLogStats::queueDepth);
    metrics.gauge("gateway.events.waiting.requests", "requests waiting for room in the event queue", stats,
        EventLogStats::waitingRequests);
    metrics.counter("gateway.events.written", "events written to every sink", stats, EventLogStats::written);
    metrics.counter("gateway.events.lost", "events that did not reach every sink", stats, EventLogStats::lost);
    metrics.counter("gateway.events.write.failures", "failed sink operations", stats, EventLogStats::writeFailures);
    metrics.gauge("gateway.events.writable", "1 while every sink can be written", stats, s -> s.writable() ? 1 : 0);
  }

  /** The admin listener's port, or -1 when there is none. */
  public int adminPort() {
    return adminServer == null ? -1 : adminServer.actualPort();
  }

  /** Checks the certificate files now and installs a changed, valid certificate. */
  public Future<Boolean> reloadCertificate(String trigger) {
    return parts.certificates().reload(trigger, false);
  }

  private record Loaded(ServerCertificate certificate, byte[] adminCa, PolicyStore policies, String policyFingerprint,
      EventLog events, KeyRingStore signingKeys, SessionKeyStore sessionKeys, Instant startedAt) {

    CertificateReloader.Installed installed() {
      return new CertificateReloader.Installed(certificate, adminCa);
    }
  }

  /** Blocking part of start-up: certificate, policy, signing keys, log files, and the start-up event. */
  private static Loaded load(GatewayConfig config, InstantSource clock) {
    ServerCertificate certificate;
    try {
      certificate = ServerCertificate.load(config.tls());
    } catch (TlsException e) {
      throw new StartupException("TLS: " + e.getMessage(), e);
    }
    CompiledPolicy policy;
    String fingerprint;
    try {
      fingerprint = PolicyDirectory.fingerprint(config.policyDirectory());
      policy = PolicyLoader.load(config.policyDirectory(), clock.instant());
    } catch (ConfigException e) {
      throw new StartupException("the policy is invalid:\n" + e.getMessage(), e);
    } catch (IOException e) {
      throw new StartupException("cannot read the policy directory: " + e.getMessage(), e);
    }
    KeyRingStore signingKeys = signingKeys(config.assertion(), clock);
    SessionKeyStore sessionKeys = config.browser() == null ? null : sessionKeys(config.browser().session());
    EventLog events = openEventLog(config.accessLog(), clock);
    Instant startedAt = clock.instant();
    String version = Gateway.class.getPackage().getImplementationVersion();
    events.record(new StartupEvent(startedAt, version == null ? "development build" : version,
        config.source().toAbsolutePath().toString(), config.sha256(), policy.version(),
        config.listener().host() + ":" + config.listener().port(), events.chainAlgorithm(), events.keyId(),
        events.failurePolicy().code(), sinkNames(config.accessLog())));
    // know whether the log can be written before the first request arrives, so the failure policy applies to it
    awaitWritten(events);
    if (!events.stats().writable()) {
      LOG.error("the event log cannot be written; {}", events.failurePolicy() == EventLog.FailurePolicy.DENY
          ? "every request is refused with 503 audit-unavailable until it can (accessLog.onFailure: deny)"
          : "requests are served and their events counted as lost (accessLog.onFailure: serve)");
    }
    byte[] adminCa = null;
    if (config.admin() != null) {
      try {
        adminCa = java.nio.file.Files.readAllBytes(config.admin().clientCa());
      } catch (IOException e) {
        throw new StartupException("cannot read the admin client CA " + config.admin().clientCa() + ": " + e, e);
      }
    }
    return new Loaded(certificate, adminCa, new PolicyStore(policy), fingerprint, events, signingKeys, sessionKeys,
        startedAt);
  }

  private static SessionKeyStore sessionKeys(GatewayConfig.Session config) {
    if (config.cookieKeys() == null) {
      LOG.info("cookie keys: no key file configured (browser.session.cookieKeys), encrypting sessions with a key "
          + "generated at start-up; a restart ends every session and other replicas cannot read them");
      return SessionKeyStore.generated();
    }
    try {
      return SessionKeyStore.load(config.cookieKeys());
    } catch (KeyRingException e) {
      throw new StartupException("cookie keys: " + e.getMessage(), e);
    }
  }

  private static KeyRingStore signingKeys(GatewayConfig.Assertion config, InstantSource clock) {
    if (config.keys() == null) {
      KeyRingStore generated = KeyRingStore.generated(config.algorithm(), clock);
      LOG.info("assertion keys: no key file configured, signing with a key generated at start-up ({}); other "
          + "replicas cannot share it", generated);
      return generated;
    }
    try {
      return KeyRingStore.load(config.keys(), clock);
    } catch (KeyRingException e) {
      throw new StartupException("assertion keys: " + e.getMessage(), e);
    }
  }

  private static EventLog openEventLog(GatewayConfig.AccessLog config, InstantSource clock) {
    List<EventSink> sinks = new ArrayList<>();
    if (config.stdout()) {
      sinks.add(new StdoutSink());
    }
    for (GatewayConfig.LogFile file : config.files()) {
      try {
        sinks.add(RotatingFileSink.open(file.path(), file.maxSize(), file.maxAge(), clock));
      } catch (IOException e) {
        for (EventSink opened : sinks) {
          try {
            opened.close();
          } catch (IOException ignored) {
            // the start-up error below is what matters
          }
        }
        throw new StartupException("cannot open the access log " + file.path() + ": " + e, e);
      }
    }
    return new EventLog(sinks, new QueryRedactor(config.redactedParameters()), config.hmacKey(),
        new EventLog.Options(config.queueCapacity(), config.onFailure(), Duration.ofSeconds(1)), clock);
  }

  private static List<String> sinkNames(GatewayConfig.AccessLog config) {
    List<String> names = new ArrayList<>();
    if (config.stdout()) {
      names.add("stdout");
    }
    config.files().forEach(f -> names.add(f.path().toAbsolutePath().toString()));
    return names;
  }

  private static void awaitWritten(EventLog events) {
    try {
      events.flush().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("the event log has not written the start-up event within 30 seconds (is standard output blocked?)");
    } catch (Exception e) {
      throw new StartupException("the event log failed: " + e, e);
    }
  }

  /** Records the shutdown event and writes out and closes the log. Blocking. */
  /**
   * The listeners are closed, but a response that ended as its connection closed may still be writing its access
   * event on its event loop; it is waited for (briefly: a connection's close records every open exchange).
   */
  private void awaitLastAccessEvents() throws InterruptedException {
    try {
      parts.exchanges().whenIdle().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("an access event was still unrecorded 5 s after the listeners closed; it will be missing");
    }
  }

  private static void closeEventLog(EventLog events, String reason, PolicyStore policies, InstantSource clock,
      Instant startedAt) {
    Instant now = clock.instant();
    events.record(new ShutdownEvent(now, reason, policies.current().version(),
        Duration.between(startedAt, now).toMillis(), events.stats().written(), events.stats().lost()));
    events.close();
  }

  private static HttpServerOptions serverOptions(GatewayConfig config, ServerCertificate certificate) {
    int port = config.listener().port();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.listener().host())
        // port 0 asks for a random port; -1 makes every verticle instance share that one random port
        .setPort(port == 0 ? -1 : port)
        .setCompressionSupported(false)
        .setDecompressionSupported(false);
    return ListenerLimits.apply(ServerTls.apply(options, certificate), config);
  }

  public int port() {
    return port;
  }

  public GatewayConfig config() {
    return config;
  }

  public PolicyStore policies() {
    return parts.policies();
  }

  public EventLog events() {
    return parts.events();
  }

  public GatewayMetrics metrics() {
    return parts.metrics();
  }

  /** Reloads the policy directory now (as SIGHUP does); the result says whether the new policy is in force. */
  public Future<ReloadResult> reloadPolicy(String trigger) {
    return parts.reloader().reload(trigger);
  }

  /** Called with the result of every reload attempt (applied, unchanged or rejected). */
  public void onPolicyReload(java.util.function.Consumer<ReloadResult> listener) {
    parts.reloader().onReload(listener);
  }

  public PolicyStatus policyStatus() {
    return parts.reloader().status();
  }

  public List<TrustedIssuer> issuers() {
    return parts.issuers();
  }

  /** The keys that sign identity assertions; {@link KeyRingStore#reload} re-reads a key file now. */
  public KeyRingStore signingKeys() {
    return parts.signingKeys();
  }

  /** The keys that encrypt session cookies, or null without browser sign-in; {@code reload} re-reads the file now. */
  public SessionKeyStore sessionKeys() {
    return parts.sessionKeys();
  }

  /** How many token refreshes this gateway has started for browser sessions (coalesced ones count once). */
  public long sessionRefreshes() {
    return parts.browser() == null ? 0 : parts.browser().refresher().refreshesStarted();
  }

  /**
   * The JWK Set apps verify assertions with, exactly as {@code GET /.gatehouse/jwks.json} serves it (for the admin
   * listener, which publishes it too).
   */
  public String jwks() {
    return parts.signingKeys().jwks();
  }

  /**
   * Drains and stops: stops accepting connections, closes WebSockets with 1001 (going away), lets in-flight requests
   * finish for up to {@code listen.drainTimeout} (every open exchange records its event), then records the shutdown
   * event and writes out and closes the event log.
   */
  public Future<Void> stop() {
    draining = true;
    parts.reloader().stop();
    parts.certificates().stop();
    vertx.cancelTimer(parts.tunnelSweep());
    parts.tunnels().closeAll(1001, "the gateway is shutting down");
    parts.signingKeys().stop(vertx);
    parts.issuers().forEach(i -> i.stop(vertx));
    if (parts.sessionKeys() != null) {
      parts.sessionKeys().stop(vertx);
    }
    return vertx.undeploy(deploymentId)
        .eventually(() -> adminServer == null ? Future.succeededFuture() : adminServer.close())
        .eventually(() -> {
          parts.idpClients().forEach(IdpClient::close);
          return vertx.executeBlocking(() -> {
            awaitLastAccessEvents();
            closeEventLog(parts.events(), "stopped", parts.policies(), parts.clock(), parts.startedAt());
            return null;
          }, false);
        })
        .mapEmpty();
  }
}

package dev.gatehouse.proxy;

import dev.gatehouse.audit.EventLog;
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
import dev.gatehouse.identity.IdpClient;
import dev.gatehouse.identity.KeyRingException;
import dev.gatehouse.identity.KeyRingStore;
import dev.gatehouse.identity.TokenCache;
import dev.gatehouse.identity.TokenVerifier;
import dev.gatehouse.identity.TrustedIssuer;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.PolicyDirectory;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.PolicyReloader;
import dev.gatehouse.policy.PolicyStatus;
import dev.gatehouse.policy.PolicyStore;
import dev.gatehouse.policy.RecentRequests;
import dev.gatehouse.policy.ReloadResult;
import dev.gatehouse.tls.ServerCertificate;
import dev.gatehouse.tls.ServerTls;
import dev.gatehouse.tls.TlsException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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

  private final Vertx vertx;
  private final GatewayConfig config;
  private final PolicyStore policies;
  private final PolicyReloader reloader;
  private final EventLog events;
  private final List<TrustedIssuer> issuers;
  private final List<IdpClient> idpClients;
  private final KeyRingStore signingKeys;
  private final String deploymentId;
  private final int port;
  private final long tunnelSweep;
  private final OpenTunnels tunnels;
  private final InstantSource clock;
  private final Instant startedAt;
  private volatile boolean draining;

  private Gateway(Vertx vertx, GatewayConfig config, PolicyStore policies, PolicyReloader reloader, EventLog events,
      List<TrustedIssuer> issuers, List<IdpClient> idpClients, KeyRingStore signingKeys, String deploymentId, int port,
      long tunnelSweep, OpenTunnels tunnels, InstantSource clock, Instant startedAt) {
    this.vertx = vertx;
    this.clock = clock;
    this.startedAt = startedAt;
    this.config = config;
    this.policies = policies;
    this.reloader = reloader;
    this.events = events;
    this.issuers = List.copyOf(issuers);
    this.idpClients = List.copyOf(idpClients);
    this.signingKeys = signingKeys;
    this.deploymentId = deploymentId;
    this.port = port;
    this.tunnelSweep = tunnelSweep;
    this.tunnels = tunnels;
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
      List<TrustedIssuer> issuers = new ArrayList<>();
      List<IdpClient> clients = new ArrayList<>();
      List<Future<?>> firstFetches = new ArrayList<>();
      for (GatewayConfig.Issuer issuerConfig : config.issuers()) {
        IdpClient client = new IdpClient(vertx, issuerConfig.trustedCertificates(), Duration.ofSeconds(5));
        TrustedIssuer issuer = new TrustedIssuer(issuerConfig, client, clock);
        clients.add(client);
        issuers.add(issuer);
        firstFetches.add(issuer.start(vertx).recover(e -> Future.succeededFuture()));
      }
      TokenVerifier verifier = new TokenVerifier(issuers, new TokenCache(100_000, Duration.ofMinutes(5), clock));
      RecentRequests recent = new RecentRequests(512);
      PolicyReloader reloader = new PolicyReloader(vertx, config.policyDirectory(), loaded.policies(), loaded.events(),
          clock, recent, config.policyPollInterval(), loaded.policyFingerprint());
      OpenTunnels tunnels = new OpenTunnels(clock);
      reloader.onReload(result -> {
        if (result instanceof ReloadResult.Applied applied) {
          tunnels.recheck(applied.inForce());
        }
      });
      long sweep = tunnels.sweepExpired(vertx, Duration.ofSeconds(1));
      GatewayConfig.Assertion assertion = config.assertion();
      AssertionSigner signer = new AssertionSigner(config.name(), assertion.lifetime(), assertion.audience(),
          loaded.signingKeys(), clock);
      GatewayContext context = new GatewayContext(loaded.policies(), verifier, loaded.events(), clock, config.name(),
          config.tls().hsts(), new ForwardingHeaders(config.identityHeaders(), assertion.header()), signer,
          new GatewayEndpoints(loaded.signingKeys()), recent, tunnels,
          new TrustedProxies(config.accessLog().trustedProxies()));
      loaded.signingKeys().start(vertx, assertion.keysPollInterval());
      HttpServerOptions serverOptions = serverOptions(config, loaded.certificate());
      Safeguards safeguards = new Safeguards(config, clock);
      AtomicInteger actualPort = new AtomicInteger();
      return Future.join(firstFetches)
          .transform(ignored -> vertx.deployVerticle(
              () -> new GatewayVerticle(context, config.upstreams(), serverOptions, actualPort,
                  config.listener().drainTimeout(), safeguards),
              new DeploymentOptions().setInstances(config.listener().instances())))
          .map(id -> {
            CompiledPolicy policy = loaded.policies().current();
            LOG.info("gatehouse listening on https://{}:{} with policy {} ({} routes)", config.listener().host(),
                actualPort.get(), policy.version(), policy.routes().size());
            reloader.start();
            return new Gateway(vertx, config, loaded.policies(), reloader, loaded.events(), issuers, clients,
                loaded.signingKeys(), id, actualPort.get(), sweep, tunnels, clock, loaded.startedAt());
          })
          .onFailure(e -> {
            vertx.cancelTimer(sweep);
            loaded.signingKeys().stop(vertx);
            issuers.forEach(i -> i.stop(vertx));
            clients.forEach(IdpClient::close);
            vertx.executeBlocking(() -> {
              closeEventLog(loaded.events(), "start-failed", loaded.policies(), clock, loaded.startedAt());
              return null;
            }, false);
          });
    });
  }

  private record Loaded(ServerCertificate certificate, PolicyStore policies, String policyFingerprint, EventLog events,
      KeyRingStore signingKeys, Instant startedAt) {}

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
    return new Loaded(certificate, new PolicyStore(policy), fingerprint, events, signingKeys, startedAt);
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
    return policies;
  }

  public EventLog events() {
    return events;
  }

  /** Reloads the policy directory now (as SIGHUP does); the result says whether the new policy is in force. */
  public Future<ReloadResult> reloadPolicy(String trigger) {
    return reloader.reload(trigger);
  }

  /** Called with the result of every reload attempt (applied, unchanged or rejected). */
  public void onPolicyReload(java.util.function.Consumer<ReloadResult> listener) {
    reloader.onReload(listener);
  }

  public PolicyStatus policyStatus() {
    return reloader.status();
  }

  public List<TrustedIssuer> issuers() {
    return issuers;
  }

  /** The keys that sign identity assertions; {@link KeyRingStore#reload} re-reads a key file now. */
  public KeyRingStore signingKeys() {
    return signingKeys;
  }

  /**
   * The JWK Set apps verify assertions with, exactly as {@code GET /.gatehouse/jwks.json} serves it (for the admin
   * listener, which publishes it too).
   */
  public String jwks() {
    return signingKeys.jwks();
  }

  /**
   * Drains and stops: stops accepting connections, closes WebSockets with 1001 (going away), lets in-flight requests
   * finish for up to {@code listen.drainTimeout} (every open exchange records its event), then records the shutdown
   * event and writes out and closes the event log.
   */
  public Future<Void> stop() {
    draining = true;
    reloader.stop();
    vertx.cancelTimer(tunnelSweep);
    tunnels.closeAll(1001, "the gateway is shutting down");
    signingKeys.stop(vertx);
    issuers.forEach(i -> i.stop(vertx));
    return vertx.undeploy(deploymentId)
        .eventually(() -> {
          idpClients.forEach(IdpClient::close);
          return vertx.executeBlocking(() -> {
            closeEventLog(events, "stopped", policies, clock, startedAt);
            return null;
          }, false);
        })
        .mapEmpty();
  }
}

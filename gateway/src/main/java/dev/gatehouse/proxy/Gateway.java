package dev.gatehouse.proxy;

import dev.gatehouse.audit.EventLog;
import dev.gatehouse.audit.EventSink;
import dev.gatehouse.audit.QueryRedactor;
import dev.gatehouse.audit.StreamSink;
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
import dev.gatehouse.tls.ServerCertificate;
import dev.gatehouse.tls.ServerTls;
import dev.gatehouse.tls.TlsException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
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
  private final SessionKeyStore sessionKeys;
  private final BrowserSignIn browser;
  private final String deploymentId;
  private final int port;
  private final long tunnelSweep;
  private final OpenTunnels tunnels;
  private volatile boolean draining;

  private Gateway(Vertx vertx, GatewayConfig config, PolicyStore policies, PolicyReloader reloader, EventLog events,
      List<TrustedIssuer> issuers, List<IdpClient> idpClients, KeyRingStore signingKeys, SessionKeyStore sessionKeys,
      BrowserSignIn browser, String deploymentId, int port, long tunnelSweep, OpenTunnels tunnels) {
    this.vertx = vertx;
    this.config = config;
    this.policies = policies;
    this.reloader = reloader;
    this.events = events;
    this.issuers = List.copyOf(issuers);
    this.idpClients = List.copyOf(idpClients);
    this.signingKeys = signingKeys;
    this.sessionKeys = sessionKeys;
    this.browser = browser;
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
      SignInEndpoints signInEndpoints = config.browser() == null ? null
          : browserSignIn(config.browser(), issuers, clients, loaded, clock);
      BrowserSignIn browser = signInEndpoints == null ? null : signInEndpoints.browser();
      GatewayContext context = new GatewayContext(loaded.policies(), verifier, loaded.events(), clock, config.name(),
          config.tls().hsts(), new ForwardingHeaders(config.identityHeaders(), assertion.header()), signer,
          new GatewayEndpoints(loaded.signingKeys(), signInEndpoints), recent, tunnels, browser);
      loaded.signingKeys().start(vertx, assertion.keysPollInterval());
      if (loaded.sessionKeys() != null) {
        loaded.sessionKeys().start(vertx, config.browser().session().keysPollInterval());
      }
      HttpServerOptions serverOptions = serverOptions(config, loaded.certificate());
      AtomicInteger actualPort = new AtomicInteger();
      return Future.join(firstFetches)
          .transform(ignored -> vertx.deployVerticle(
              () -> new GatewayVerticle(context, config.upstreams(), serverOptions, actualPort,
                  config.listener().drainTimeout()),
              new DeploymentOptions().setInstances(config.listener().instances())))
          .map(id -> {
            CompiledPolicy policy = loaded.policies().current();
            LOG.info("gatehouse listening on https://{}:{} with policy {} ({} routes)", config.listener().host(),
                actualPort.get(), policy.version(), policy.routes().size());
            reloader.start();
            return new Gateway(vertx, config, loaded.policies(), reloader, loaded.events(), issuers, clients,
                loaded.signingKeys(), loaded.sessionKeys(), browser, id, actualPort.get(), sweep, tunnels);
          })
          .onFailure(e -> {
            vertx.cancelTimer(sweep);
            loaded.signingKeys().stop(vertx);
            if (loaded.sessionKeys() != null) {
              loaded.sessionKeys().stop(vertx);
            }
            issuers.forEach(i -> i.stop(vertx));
            clients.forEach(IdpClient::close);
            loaded.events().close();
          });
    });
  }

  private record Loaded(ServerCertificate certificate, PolicyStore policies, String policyFingerprint, EventLog events,
      KeyRingStore signingKeys, SessionKeyStore sessionKeys) {}

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

  /** Blocking part of start-up: certificate, policy, signing keys, log files. */
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
    List<EventSink> sinks = new ArrayList<>();
    if (config.accessLog().stdout()) {
      sinks.add(StreamSink.stdout());
    }
    if (config.accessLog().file() != null) {
      try {
        sinks.add(StreamSink.file(config.accessLog().file()));
      } catch (IOException e) {
        throw new StartupException("cannot open the access log " + config.accessLog().file() + ": " + e.getMessage(), e);
      }
    }
    SessionKeyStore sessionKeys = config.browser() == null ? null : sessionKeys(config.browser().session());
    EventLog events = new EventLog(sinks, new QueryRedactor(config.accessLog().redactedParameters()));
    return new Loaded(certificate, new PolicyStore(policy), fingerprint, events, signingKeys, sessionKeys);
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

  private static HttpServerOptions serverOptions(GatewayConfig config, ServerCertificate certificate) {
    int port = config.listener().port();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.listener().host())
        // port 0 asks for a random port; -1 makes every verticle instance share that one random port
        .setPort(port == 0 ? -1 : port)
        .setIdleTimeout(120)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(16 * 1024)
        .setCompressionSupported(false)
        .setDecompressionSupported(false);
    // the same limit for HTTP/2 (whose default is 8 KiB): a session split over three cookies needs about 12 KiB
    options.getInitialSettings().setMaxHeaderListSize(16 * 1024);
    return ServerTls.apply(options, certificate);
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

  /** The keys that encrypt session cookies, or null without browser sign-in; {@code reload} re-reads the file now. */
  public SessionKeyStore sessionKeys() {
    return sessionKeys;
  }

  /** How many token refreshes this gateway has started for browser sessions (coalesced ones count once). */
  public long sessionRefreshes() {
    return browser == null ? 0 : browser.refresher().refreshesStarted();
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
   * finish for up to {@code listen.drainTimeout}, then writes out and closes the event log.
   */
  public Future<Void> stop() {
    draining = true;
    reloader.stop();
    vertx.cancelTimer(tunnelSweep);
    tunnels.closeAll(1001, "the gateway is shutting down");
    signingKeys.stop(vertx);
    if (sessionKeys != null) {
      sessionKeys.stop(vertx);
    }
    issuers.forEach(i -> i.stop(vertx));
    return vertx.undeploy(deploymentId)
        .eventually(() -> {
          idpClients.forEach(IdpClient::close);
          return vertx.executeBlocking(() -> {
            events.close();
            return null;
          }, false);
        })
        .mapEmpty();
  }
}

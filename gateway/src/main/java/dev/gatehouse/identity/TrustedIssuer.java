package dev.gatehouse.identity;

import dev.gatehouse.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured token issuer at runtime: its discovery metadata and its current keys. Keys are an immutable
 * {@link KeySet} behind an atomic reference, refreshed periodically and on demand when a token names an unknown key.
 * On-demand refreshes are coalesced (one fetch in flight at a time) and rate-limited, so a flood of tokens with
 * made-up key ids cannot make the gateway hammer the IdP. A failed fetch keeps the previous keys: an unreachable
 * IdP never invalidates tokens signed with keys the gateway already has, and never lets an unverified one through.
 */
public final class TrustedIssuer {

  private static final Logger LOG = LoggerFactory.getLogger(TrustedIssuer.class);

  private final GatewayConfig.Issuer config;
  private final IdpClient client;
  private final InstantSource clock;
  private final ClaimsRules claimsRules;
  private final AtomicReference<KeySet> keys = new AtomicReference<>(KeySet.EMPTY);
  private final AtomicReference<OidcMetadata> metadata = new AtomicReference<>();
  private final AtomicReference<Future<KeySet>> inFlight = new AtomicReference<>();
  private volatile Instant lastFetchStarted = Instant.EPOCH;
  private volatile String lastError;
  private volatile long timer = -1;

  private final IdentityMetrics metrics;

  public TrustedIssuer(GatewayConfig.Issuer config, IdpClient client, InstantSource clock) {
    this(config, client, clock, IdentityMetrics.NONE);
  }

  public TrustedIssuer(GatewayConfig.Issuer config, IdpClient client, InstantSource clock, IdentityMetrics metrics) {
    this.config = config;
    this.client = client;
    this.clock = clock;
    this.claimsRules = new ClaimsRules(config, clock);
    this.metrics = metrics;
  }

  public GatewayConfig.Issuer config() {
    return config;
  }

  public String issuer() {
    return config.issuer().toString();
  }

  public KeySet keys() {
    return keys.get();
  }

  /** The discovery document, or null until it has been read. */
  public OidcMetadata metadata() {
    return metadata.get();
  }

  /** The last fetch error, or null when the last fetch succeeded. */
  public String lastError() {
    return lastError;
  }

  ClaimsRules claimsRules() {
    return claimsRules;
  }

  /** Fetches discovery and keys now, then every {@code jwksRefreshInterval}; retries failures sooner. */
  public Future<KeySet> start(Vertx vertx) {
    Future<KeySet> first = fetch();
    long period = config.jwksRefreshInterval().toMillis();
    timer = vertx.setPeriodic(period, id -> fetch());
    first.onFailure(e -> scheduleRetry(vertx, 1));
    return first;
  }

  private void scheduleRetry(Vertx vertx, int attempt) {
    long delay = Math.min(60_000L, 1_000L << Math.min(attempt, 6));
    vertx.setTimer(delay, id -> {
      if (keys.get().isEmpty()) {
        fetch().onFailure(e -> scheduleRetry(vertx, attempt + 1));
      }
    });
  }

  public void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Called when a token names a key the gateway does not have. Fetches the JWKS again unless a fetch is already in
   * flight (then shares it) or the last one started less than {@code jwksMinRefreshInterval} ago (then answers with
   * the current keys). Never fails: the answer is the best key set available.
   */
  Future<KeySet> refreshForUnknownKey() {
    Future<KeySet> running = inFlight.get();
    if (running != null) {
      return running.recover(e -> Future.succeededFuture(keys.get()));
    }
    if (lastFetchStarted.plus(config.jwksMinRefreshInterval()).isAfter(clock.instant())) {
      return Future.succeededFuture(keys.get());
    }
    return fetch().recover(e -> Future.succeededFuture(keys.get()));
  }

  /** One coalesced fetch of discovery (if needed) and keys. */
  private Future<KeySet> fetch() {
    Promise<KeySet> promise = Promise.promise();
    Future<KeySet> mine = promise.future();
    if (!inFlight.compareAndSet(null, mine)) {
      Future<KeySet> other = inFlight.get();
      return other != null ? other : Future.succeededFuture(keys.get());
    }
    lastFetchStarted = clock.instant();
    discover()
        .compose(meta -> client.getJson(meta.jwksUri()))
        .map(json -> {
          try {
            return KeySet.parse(json.encode(), clock.instant());
          } catch (java.text.ParseException e) {
            throw new IllegalStateException("the JWKS of " + issuer() + " is not a valid JWK set: " + e.getMessage());
          }
        })
        .onComplete(ar -> {
          inFlight.set(null);
          metrics.jwksFetch(config.id(), ar.succeeded());
          if (ar.succeeded()) {
            KeySet previous = keys.getAndSet(ar.result());
            lastError = null;
            if (!previous.fingerprint().equals(ar.result().fingerprint())) {
              LOG.info("issuer {}: {} signing key(s) in force", issuer(), ar.result().size());
            }
            promise.complete(ar.result());
          } else {
            lastError = ar.cause().getMessage();
            LOG.warn("issuer {}: cannot fetch signing keys, keeping {} cached key(s): {}", issuer(), keys.get().size(),
                lastError);
            promise.fail(ar.cause());
          }
        });
    return mine;
  }

  private Future<OidcMetadata> discover() {
    OidcMetadata known = metadata.get();
    if (known != null) {
      return Future.succeededFuture(known);
    }
    URI url = URI.create(stripTrailingSlash(issuer()) + "/.well-known/openid-configuration");
    return client.getJson(url).compose(json -> {
      try {
        OidcMetadata meta = parseMetadata(json);
        metadata.set(meta);
        return Future.succeededFuture(meta);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(url + ": " + e.getMessage());
      }
    }).recover(e -> {
      if (config.jwksUri() != null) {
        // discovery is optional when the key location is configured; browser sign-in needs it later
        return Future.succeededFuture(new OidcMetadata(issuer(), config.jwksUri(), null, null, null));
      }
      return Future.failedFuture(e);
    });
  }

  private OidcMetadata parseMetadata(JsonObject json) {
    String advertised = json.getString("issuer");
    if (!issuer().equals(advertised)) {
      // OpenID Connect Discovery 1.0 section 4.3: the issuer in the document must be exactly the one configured
      throw new IllegalArgumentException("the discovery document names issuer '" + advertised + "', expected '" + issuer() + "'");
    }
    URI jwks = config.jwksUri() != null ? config.jwksUri() : httpsUri(json, "jwks_uri", true);
    return new OidcMetadata(advertised, jwks, httpsUri(json, "authorization_endpoint", false),
        httpsUri(json, "token_endpoint", false), httpsUri(json, "end_session_endpoint", false));
  }

  private static URI httpsUri(JsonObject json, String key, boolean required) {
    Object value = json.getValue(key);
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException("'" + key + "' is missing from the discovery document");
    }
    URI uri = URI.create(s);
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("'" + key + "' is not an https URL: " + s);
    }
    return uri;
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}

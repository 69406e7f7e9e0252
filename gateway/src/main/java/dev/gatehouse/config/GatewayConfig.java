package dev.gatehouse.config;

import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.audit.AddressRange;
import dev.gatehouse.audit.ChainKey;
import dev.gatehouse.audit.EventLog;
import dev.gatehouse.identity.ClaimMapping;
import dev.gatehouse.identity.IdentityAttribute;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The validated content of {@code gatehouse.yaml}. Relative paths are already resolved against the file's directory.
 * Fixed for the life of the process; policies, certificates and keys reload separately.
 *
 * @param sha256 SHA-256 of the file's bytes (hex), recorded in the start-up audit event
 */
public record GatewayConfig(
    Path source,
    String name,
    Listener listener,
    Tls tls,
    List<Issuer> issuers,
    Path policyDirectory,
    Duration policyPollInterval,
    Upstreams upstreams,
    AccessLog accessLog,
    Assertion assertion,
    IdentityHeaders identityHeaders,
    Admin admin,
    Browser browser,
    Limits limits,
    RateLimits rateLimits,
    String sha256) {

  public GatewayConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    issuers = List.copyOf(issuers);
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(rateLimits, "rateLimits");
  }

  /**
   * @param instances how many event-loop verticles serve the port (default: one per core)
   * @param drainTimeout on shutdown, how long in-flight requests may take to finish before connections are cut
   */
  public record Listener(String host, int port, int instances, Duration drainTimeout, ProxyProtocol proxyProtocol) {

    /** Without the PROXY protocol. */
    public Listener(String host, int port, int instances, Duration drainTimeout) {
      this(host, port, instances, drainTimeout, null);
    }
  }

  /**
   * The listener expects an HAProxy PROXY protocol header (v1 or v2) before TLS on every connection, from a load
   * balancer that terminates TCP; the client address it declares becomes the connection's client address (for the
   * access log, {@code X-Forwarded-For} and the per-address rate limit). Only {@code trustedSources} may send one: a
   * connection from any other TCP peer is closed, since anyone who can reach the listener could otherwise claim any
   * address.
   *
   * @param timeout how long the header may take to arrive
   */
  public record ProxyProtocol(List<AddressRange> trustedSources, Duration timeout) {
    public ProxyProtocol {
      trustedSources = List.copyOf(trustedSources);
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  /**
   * The server certificate: a PEM chain and key, or a PKCS#12 file.
   *
   * @param certificate PEM chain (null when {@code pkcs12} is used)
   * @param key PEM private key, possibly encrypted (null when {@code pkcs12} is used)
   * @param pkcs12 PKCS#12 file with key and chain, or null
   * @param keyPassphrase decrypts an encrypted key or the PKCS#12 file; null when not needed
   * @param hsts the {@code Strict-Transport-Security} value added to every response
   * @param reloadInterval how often the certificate files are checked for a new certificate (zero: never)
   * @param expiryWarning a certificate closer than this to its expiry is warned about
   */
  public record Tls(Path certificate, Path key, Path pkcs12, Secret keyPassphrase, String hsts, Duration reloadInterval,
      Duration expiryWarning) {

    /** The files that make up the certificate (for watching). */
    public java.util.List<Path> files() {
      return pkcs12 != null ? java.util.List.of(pkcs12) : java.util.List.of(certificate, key);
    }
  }

  /**
   * One trusted token issuer.
   *
   * @param issuer the exact {@code iss} value; its discovery document lives under it
   * @param audiences a token's {@code aud} must contain at least one of these
   * @param algorithms accepted JWS algorithms (asymmetric only)
   * @param trustedCertificates PEM CA certificates for the IdP's TLS; null uses the JVM's trust store
   * @param jwksUri where the keys are, skipping discovery; null reads {@code jwks_uri} from discovery
   */
  public record Issuer(
      String id,
      URI issuer,
      Set<String> audiences,
      Set<JWSAlgorithm> algorithms,
      ClaimMapping claims,
      Duration clockSkew,
      Duration jwksRefreshInterval,
      Duration jwksMinRefreshInterval,
      Path trustedCertificates,
      URI jwksUri) {

    public Issuer {
      audiences = Set.copyOf(audiences);
      algorithms = Set.copyOf(algorithms);
    }
  }

  /**
   * @param responseTimeout longest silence from an upstream before the gateway answers 504
   * @param trustedCertificates PEM CA certificates for https upstreams; null uses the JVM's trust store
   * @param retry retry a GET, HEAD or OPTIONS request once when no connection to the upstream could be made (so the
   *     upstream never saw it)
   * @param circuitBreaker when to stop sending requests to an upstream that keeps failing
   */
  public record Upstreams(Duration connectTimeout, Duration responseTimeout, int maxConnectionsPerUpstream,
      Path trustedCertificates, boolean retry, CircuitBreaker circuitBreaker) {

    public Upstreams {
      Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    }

    /** With the default retry (on) and no circuit breaker. */
    public Upstreams(Duration connectTimeout, Duration responseTimeout, int maxConnectionsPerUpstream,
        Path trustedCertificates) {
      this(connectTimeout, responseTimeout, maxConnectionsPerUpstream, trustedCertificates, true, CircuitBreaker.OFF);
    }
  }

  /**
   * A circuit breaker per upstream address: after {@code failureThreshold} consecutive failures (no connection, reset,
   * timeout, unparseable response) requests are refused at once for {@code openDuration}; then one probe request may
   * pass, and its outcome closes the breaker or opens it again.
   *
   * @param failureThreshold consecutive failures that open the breaker; 0 turns it off
   */
  public record CircuitBreaker(int failureThreshold, Duration openDuration) {

    public static final CircuitBreaker OFF = new CircuitBreaker(0, Duration.ofSeconds(30));

    public CircuitBreaker {
      Objects.requireNonNull(openDuration, "openDuration");
    }

    public boolean enabled() {
      return failureThreshold > 0;
    }
  }

  /**
   * What one client may send and how long it may take. Exceeding a size limit is answered with its status (414, 431,
   * 413) and the connection is closed; exceeding a time limit closes the connection (408 when a request had begun).
   *
   * @param maxRequestLine bytes of the HTTP/1.x request line (414)
   * @param maxUriLength characters of the request target, path and query, in HTTP/1.x and HTTP/2 (414)
   * @param maxQueryLength characters of the query string (414)
   * @param maxHeaderSize bytes of all request header lines together; for HTTP/2 the header list size (431)
   * @param maxHeaders number of request header fields (431)
   * @param maxBodySize request body bytes, unless a route sets its own (413)
   * @param maxConnections open client connections over all event loops; more are answered 503 and closed
   * @param http2MaxConcurrentStreams streams one HTTP/2 connection may have open at once
   * @param idleTimeout a connection without any traffic for this long is closed
   * @param headerTimeout an HTTP/1.x connection must complete a request's headers within this time from its start or
   *     from the end of the previous response (slowloris)
   * @param handshakeTimeout the TLS handshake must complete within this time
   */
  public record Limits(int maxRequestLine, int maxUriLength, int maxQueryLength, int maxHeaderSize, int maxHeaders,
      long maxBodySize, int maxConnections, int http2MaxConcurrentStreams, Duration idleTimeout,
      Duration headerTimeout, Duration handshakeTimeout) {

    public static final Limits DEFAULTS = new Limits(8 * 1024, 8000, 8000, 16 * 1024, 100, 100L << 20, 10_000, 100,
        Duration.ofSeconds(120), Duration.ofSeconds(20), Duration.ofSeconds(10));

    public Limits {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(headerTimeout, "headerTimeout");
      Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    }
  }

  /**
   * Abuse control with token buckets. Failed authentications are counted per client address (the TCP peer; an IPv6
   * address counts as its /64) and per subject; an empty optional turns that limit off.
   *
   * @param failedAuthPerAddress failed authentications one address may cause before it gets 429
   * @param failedAuthPerSubject failed authentications in one subject's name before its failing tokens get 429
   * @param maxTrackedKeys addresses or subjects each limiter remembers at most (bounded memory; the least used are
   *     forgotten first)
   */
  public record RateLimits(java.util.Optional<RateLimit> failedAuthPerAddress,
      java.util.Optional<RateLimit> failedAuthPerSubject, int maxTrackedKeys) {

    public static final RateLimits DEFAULTS = new RateLimits(
        java.util.Optional.of(new RateLimit(60, Duration.ofMinutes(1), 60)),
        java.util.Optional.of(new RateLimit(10, Duration.ofMinutes(1), 20)), 100_000);

    public RateLimits {
      Objects.requireNonNull(failedAuthPerAddress, "failedAuthPerAddress");
      Objects.requireNonNull(failedAuthPerSubject, "failedAuthPerSubject");
    }
  }

  /**
   * The event log: where events go, how they are chained, and what happens when they cannot be written.
   *
   * @param stdout write events to standard output
   * @param files also (or instead) write events to these files, each rotated on its own limits
   * @param redactedParameters query parameter names whose values are never logged (matched case-insensitively,
   *     also as a part of a longer name such as {@code access_token})
   * @param hmacKey key of an HMAC-SHA256 chain (from a file or an environment variable); null for plain SHA-256
   * @param queueCapacity events waiting for the writer at which new requests wait
   * @param onFailure what new requests get while the log cannot be written
   * @param trustedProxies front proxies whose forwarding headers fill {@code forwarded_for}; logging only
   */
  public record AccessLog(boolean stdout, List<LogFile> files, List<String> redactedParameters, ChainKey hmacKey,
      int queueCapacity, EventLog.FailurePolicy onFailure, List<AddressRange> trustedProxies) {
    public AccessLog {
      files = List.copyOf(files);
      redactedParameters = List.copyOf(redactedParameters);
      Objects.requireNonNull(onFailure, "onFailure");
      trustedProxies = List.copyOf(trustedProxies);
    }
  }

  /**
   * The signed identity assertion added to every request that carries an identity.
   *
   * @param header the request header that carries it
   * @param algorithm the algorithm of the key generated at start-up when {@code keys} is null (keys from a file
   *     sign with their own algorithm)
   * @param lifetime how long an assertion is valid ({@code exp - iat})
   * @param audience the {@code aud} of every assertion, or null for the route id (a route may override either)
   * @param keys a JWK Set file with private keys shared by every replica, or null to generate a key at start-up
   * @param keysPollInterval how often the key file is checked for changes
   */
  public record Assertion(String header, JWSAlgorithm algorithm, Duration lifetime, String audience, Path keys,
      Duration keysPollInterval) {

    public Assertion {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(lifetime, "lifetime");
      Objects.requireNonNull(keysPollInterval, "keysPollInterval");
    }
  }

  /**
   * Browser sign-in (OIDC authorization code flow with PKCE) and the encrypted session cookie it issues; absent
   * (null in {@link GatewayConfig#browser()}) when only bearer tokens are accepted.
   *
   * @param issuerId the {@code id} of the configured issuer users sign in with
   * @param clientId the gateway's client id at that issuer; ID tokens must be issued to it ({@code aud}, {@code azp})
   * @param clientSecret the client secret of a confidential client, or null for a public client (PKCE only)
   * @param scopes the scopes asked for; always includes {@code openid}
   * @param publicOrigin the origin browsers reach the gateway at, e.g. {@code https://gatehouse.example.com}; the
   *     redirect URI is {@code <publicOrigin>/.gatehouse/callback}
   * @param session lifetimes and keys of the session cookie
   */
  public record Browser(String issuerId, String clientId, Secret clientSecret, List<String> scopes, URI publicOrigin,
      Session session) {

    public Browser {
      Objects.requireNonNull(issuerId, "issuerId");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(publicOrigin, "publicOrigin");
      Objects.requireNonNull(session, "session");
      scopes = List.copyOf(scopes);
    }
  }

  /**
   * @param cookieKeys a JWK Set file of 256-bit {@code oct} keys (the first encrypts, all decrypt), or null to
   *     generate a key at start-up (one replica; every restart ends every session)
   * @param keysPollInterval how often the key file is checked for changes
   * @param idleTimeout a session not used for this long ends
   * @param absoluteTimeout a session ends this long after sign-in, however busy
   * @param refreshBefore tokens from the provider are refreshed this long before they expire
   */
  public record Session(Path cookieKeys, Duration keysPollInterval, Duration idleTimeout, Duration absoluteTimeout,
      Duration refreshBefore) {

    public Session {
      Objects.requireNonNull(keysPollInterval, "keysPollInterval");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(absoluteTimeout, "absoluteTimeout");
      Objects.requireNonNull(refreshBefore, "refreshBefore");
    }
  }

  /** The names of the plain convenience headers: the caller's {@code sub}, email, groups and tenant. */
  public record IdentityHeaders(String user, String email, String groups, String tenant) {

    public static final IdentityHeaders DEFAULT =
        new IdentityHeaders("X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups", "X-Forwarded-Tenant");

    public IdentityHeaders {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(email, "email");
      Objects.requireNonNull(groups, "groups");
      Objects.requireNonNull(tenant, "tenant");
    }

    public String name(IdentityAttribute attribute) {
      return switch (attribute) {
        case USER -> user;
        case EMAIL -> email;
        case GROUPS -> groups;
        case TENANT -> tenant;
      };
    }
  }

  /**
   * The admin listener: health and readiness for orchestrators, everything else for operators with a client
   * certificate issued by {@code clientCa} (mutual TLS). It serves the same server certificate as the main listener.
   *
   * @param clientCa PEM CA certificates whose client certificates may use the admin endpoints
   */
  public record Admin(String host, int port, Path clientCa) {}

  /**
   * @param maxSize a new file is started before this one would grow past this many bytes
   * @param maxAge a new file is started when this one has been open this long
   */
  public record LogFile(Path path, long maxSize, Duration maxAge) {}
}

package dev.gatehouse.admin;

import dev.gatehouse.audit.AccessEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The gateway's metrics, in Prometheus form. Tags are kept to bounded sets: route ids (bounded by the policy; "none"
 * when no route matched), reason codes and decisions (fixed enums), status classes (1xx..5xx), issuer ids (bounded by
 * the configuration). Meters are looked up in small caches, so recording a request allocates at most a cache key.
 */
public final class GatewayMetrics implements dev.gatehouse.identity.IdentityMetrics {

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private record RequestKey(String route, String decision, String reason, String statusClass) {}

  private record RouteKey(String route, String statusClass) {}

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
  private final Map<RouteKey, Timer> requestDurations = new ConcurrentHashMap<>();
  private final Map<String, Timer> upstreamDurations = new ConcurrentHashMap<>();
  private final Map<String, Counter> upstreamErrors = new ConcurrentHashMap<>();
  private final Map<String, Counter> tokenOutcomes = new ConcurrentHashMap<>();
  private final Map<String, Counter> jwksFetches = new ConcurrentHashMap<>();
  private final Map<String, Counter> reloads = new ConcurrentHashMap<>();
  private final Map<String, Counter> handshakeFailures = new ConcurrentHashMap<>();
  private final Counter handshakes;
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong certificateExpiry = new AtomicLong();
  private final MultiGauge policyVersion;

  public GatewayMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    handshakes = Counter.builder("gateway.tls.handshakes").description("TLS connections established").register(registry);
    Gauge.builder("gateway.connections.open", openConnections, AtomicInteger::get)
        .description("open client connections on the main listener").register(registry);
    Gauge.builder("gateway.tls.certificate.expiry", certificateExpiry, AtomicLong::get)
        .description("when the server certificate in use expires (Unix seconds)").baseUnit("seconds").register(registry);
    policyVersion = MultiGauge.builder("gateway.policy.version").description("the policy version in force (value 1)")
        .register(registry);
  }

  /** Records a finished request from its access event. */
  public void exchange(AccessEvent e) {
    String route = e.routeId() == null ? "none" : e.routeId();
    String statusClass = statusClass(e.status());
    String decision = e.decision() == null ? "none" : e.decision();
    requests.computeIfAbsent(new RequestKey(route, decision, e.reason(), statusClass), k ->
        Counter.builder("gateway.requests").description("requests by route, decision, reason and status class")
            .tags("route", k.route(), "decision", k.decision(), "reason", k.reason(), "status_class", k.statusClass())
            .register(registry)).increment();
    requestDurations.computeIfAbsent(new RouteKey(route, statusClass), k ->
        Timer.builder("gateway.request.duration").description("time from request to the end of the response")
            .tags("route", k.route(), "status_class", k.statusClass()).publishPercentileHistogram()
            .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25))
            .register(registry)).record(e.durationMicros(), TimeUnit.MICROSECONDS);
    if (e.upstreamMicros() >= 0) {
      upstreamDurations.computeIfAbsent(route, r -> Timer.builder("gateway.upstream.duration")
          .description("time from sending to the upstream until its response headers").tags("route", r)
          .publishPercentileHistogram().register(registry)).record(e.upstreamMicros(), TimeUnit.MICROSECONDS);
    }
    if (e.reason().startsWith("upstream-")) {
      counter(upstreamErrors, route + "|" + e.reason(), "gateway.upstream.errors", "upstream failures by route and reason",
          "route", route, "reason", e.reason()).increment();
    }
  }

  private static String statusClass(int status) {
    if (status <= 0) {
      return "none";
    }
    return status >= 100 && status < 600 ? STATUS_CLASSES[status / 100 - 1] : (status / 100) + "xx";
  }

  /** Records a token verification outcome: {@code verified}, {@code cached}, or a reason code. */
  @Override
  public void token(String outcome) {
    Counter known = tokenOutcomes.get(outcome); // once per request: look up before building anything
    (known != null ? known : counter(tokenOutcomes, outcome, "gateway.tokens", "bearer token verifications by outcome",
        "outcome", outcome)).increment();
  }

  @Override
  public void jwksFetch(String issuerId, boolean succeeded) {
    String result = succeeded ? "success" : "failure";
    counter(jwksFetches, issuerId + "|" + result, "gateway.jwks.fetches", "JWKS fetches by issuer and result",
        "issuer", issuerId, "result", result).increment();
  }

  /** Records a policy reload attempt and the version in force afterwards. */
  public void policyReload(String result, String versionInForce) {
    counter(reloads, result, "gateway.policy.reloads", "policy reload attempts by result", "result", result).increment();
    policyVersion(versionInForce);
  }

  public void policyVersion(String version) {
    policyVersion.register(List.of(MultiGauge.Row.of(Tags.of("version", version), 1)), true);
  }

  public void handshake() {
    handshakes.increment();
  }

  /** A TLS handshake that failed; {@code reason} is one of a few fixed words (see {@link #handshakeReason}). */
  public void handshakeFailure(String reason) {
    counter(handshakeFailures, reason, "gateway.tls.handshake.failures", "failed TLS handshakes by reason", "reason",
        reason).increment();
  }

  /** Maps a handshake exception to a bounded reason. */
  public static String handshakeReason(Throwable t) {
    String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (m.contains("protocol")) {
      return "protocol-version";
    }
    if (m.contains("cipher") || m.contains("no appropriate")) {
      return "no-shared-cipher";
    }
    if (m.contains("certificate")) {
      return "certificate";
    }
    if (m.contains("timed out") || m.contains("timeout")) {
      return "timeout";
    }
    return "other";
  }

  public void connectionOpened() {
    openConnections.incrementAndGet();
  }

  public void connectionClosed() {
    openConnections.decrementAndGet();
  }

  public void certificate(Instant notAfter) {
    certificateExpiry.set(notAfter.getEpochSecond());
  }

  /** Publishes a value the gateway computes on demand (e.g. the event log's queue depth). */
  public <T> void gauge(String name, String description, T source, java.util.function.ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(description).register(registry);
  }

  /** Publishes a count the gateway keeps itself (e.g. events written) as a Prometheus counter. */
  public <T> void counter(String name, String description, T source, java.util.function.ToDoubleFunction<T> value) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, source, value).description(description).register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  private Counter counter(Map<String, Counter> cache, String key, String name, String description, String... tags) {
    Function<String, Counter> create = k -> Counter.builder(name).description(description).tags(tags).register(registry);
    return cache.computeIfAbsent(key, create);
  }
}

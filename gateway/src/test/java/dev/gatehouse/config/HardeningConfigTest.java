package dev.gatehouse.config;

import static dev.gatehouse.config.ConfigFiles.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits}, {@code rateLimits}, {@code upstreams.retry} and {@code upstreams.circuitBreaker} in gatehouse.yaml:
 * defaults, every key, and problems reported with file:line:column. Lines and columns counted by hand (from 1).
 */
class HardeningConfigTest {

  private Path file;

  @BeforeEach
  void createPlaceholderFiles(@TempDir Path dir) throws IOException {
    file = ConfigFiles.createPlaceholderFiles(dir);
  }

  private GatewayConfig load(String yaml) throws Exception {
    return ConfigFiles.load(file, yaml, Map.of());
  }

  private List<String> errors(String yaml) {
    return ConfigFiles.errors(file, yaml, Map.of());
  }

  private String at(int line, int column, String pointerAndMessage) {
    return ConfigFiles.at(file, line, column, pointerAndMessage);
  }

  @Test
  void safeDefaultsApplyWhenNothingIsConfigured() throws Exception {
    GatewayConfig config = load(MINIMAL);

    assertThat(config.limits()).isEqualTo(GatewayConfig.Limits.DEFAULTS);
    assertThat(config.limits().maxBodySize()).isEqualTo(100L << 20);
    assertThat(config.limits().headerTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.rateLimits()).isEqualTo(GatewayConfig.RateLimits.DEFAULTS);
    assertThat(config.upstreams().retry()).isTrue();
    assertThat(config.upstreams().circuitBreaker().enabled()).isFalse();
  }

  @Test
  void readsEveryLimit() throws Exception {
    GatewayConfig config = load(MINIMAL + """
        limits:
          maxRequestLine: 4KiB
          maxUriLength: 2000
          maxQueryLength: 500
          maxHeaderSize: 32KiB
          maxHeaders: 50
          maxBodySize: 10MiB
          maxConnections: 500
          http2MaxConcurrentStreams: 20
          idleTimeout: 60s
          headerTimeout: 5s
          handshakeTimeout: 3s
        """);

    assertThat(config.limits()).isEqualTo(new GatewayConfig.Limits(4096, 2000, 500, 32 * 1024, 50, 10L << 20, 500, 20,
        Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(3)));
  }

  @Test
  void theQueryLimitDefaultsToTheUriLimit() throws Exception {
    assertThat(load(MINIMAL + "limits:\n  maxUriLength: 2000\n").limits().maxQueryLength()).isEqualTo(2000);
  }

  @Test
  void reportsLimitsOutOfRangeWithTheirPosition() {
    assertThat(errors(MINIMAL + """
        limits:
          maxHeaders: 0
          maxBodySize: lots
          headerTimeout: 10ms
          maxUriLength: 100
          maxQueryLength: 200
          maxBodySizes: 1MiB
        """)).containsExactly(
        at(10, 15, "/limits/maxHeaders: 0 (expected: 1..10000)"),
        at(11, 16, "/limits/maxBodySize: 'lots' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)"),
        at(12, 18, "/limits/headerTimeout: 10ms (expected: 100ms..10m)"),
        at(14, 19, "/limits/maxQueryLength: 200 is longer than maxUriLength (100), which includes the query"),
        at(15, 3, "/limits/maxBodySizes: unknown key 'maxBodySizes' (expected one of: maxRequestLine, maxUriLength, "
            + "maxQueryLength, maxHeaderSize, maxHeaders, maxBodySize, maxConnections, http2MaxConcurrentStreams, "
            + "idleTimeout, headerTimeout, handshakeTimeout)"));
  }

  @Test
  void readsRateLimitsAndTurnsThemOff() throws Exception {
    GatewayConfig config = load(MINIMAL + """
        rateLimits:
          maxTrackedKeys: 5000
          failedAuth:
            perAddress: {requests: 30, per: 1m, burst: 60}
            perSubject: off
        """);

    assertThat(config.rateLimits()).isEqualTo(new GatewayConfig.RateLimits(
        Optional.of(new RateLimit(30, Duration.ofMinutes(1), 60)), Optional.empty(), 5000));
    assertThat(load(MINIMAL + "rateLimits:\n  failedAuth:\n    perAddress: false\n").rateLimits()
        .failedAuthPerAddress()).isEmpty();
  }

  @Test
  void aRateLimitsBurstDefaultsToItsRequests() throws Exception {
    assertThat(load(MINIMAL + "rateLimits:\n  failedAuth:\n    perSubject: {requests: 7, per: 10s}\n").rateLimits()
        .failedAuthPerSubject()).contains(new RateLimit(7, Duration.ofSeconds(10), 7));
  }

  @Test
  void reportsMalformedRateLimits() {
    assertThat(errors(MINIMAL + """
        rateLimits:
          failedAuth:
            perAddress: 30
            perSubject: {per: 1m, burst: 0, rate: 5}
        """)).containsExactly(
        at(11, 17, "/rateLimits/failedAuth/perAddress: expected a mapping like {requests: 100, per: 1m, burst: 20}, "
            + "or off"),
        at(12, 17, "/rateLimits/failedAuth/perSubject: missing required key 'requests'"),
        at(12, 34, "/rateLimits/failedAuth/perSubject/burst: 0 (expected: 1..1000000000)"),
        at(12, 37, "/rateLimits/failedAuth/perSubject/rate: unknown key 'rate' (expected one of: requests, per, burst)"));
  }

  @Test
  void readsRetryAndTheCircuitBreaker() throws Exception {
    GatewayConfig config = load(MINIMAL + """
        upstreams:
          retry: false
          circuitBreaker:
            failureThreshold: 5
            openDuration: 10s
        """);

    assertThat(config.upstreams().retry()).isFalse();
    assertThat(config.upstreams().circuitBreaker()).isEqualTo(new GatewayConfig.CircuitBreaker(5, Duration.ofSeconds(10)));
    assertThat(config.upstreams().circuitBreaker().enabled()).isTrue();
  }

  @Test
  void readsTheProxyProtocolWithItsTrustedSources() throws Exception {
    GatewayConfig config = load(MINIMAL + """
        listen:
          proxyProtocol:
            trustedSources: [10.0.0.0/8, 192.0.2.10]
            timeout: 2s
        """);

    GatewayConfig.ProxyProtocol proxy = config.listener().proxyProtocol();
    assertThat(proxy.trustedSources()).extracting(Object::toString).containsExactly("10.0.0.0/8", "192.0.2.10/32");
    assertThat(proxy.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(load(MINIMAL).listener().proxyProtocol()).as("off by default").isNull();
  }

  @Test
  void theProxyProtocolNeedsTrustedSources() {
    assertThat(errors(MINIMAL + """
        listen:
          proxyProtocol:
            timeout: 2s
        """)).containsExactly(at(11, 5, "/listen/proxyProtocol: missing required key 'trustedSources' (the load "
        + "balancers allowed to send a PROXY header; anyone else could claim any client address)"));
  }

  @Test
  void reportsAMalformedCircuitBreaker() {
    assertThat(errors(MINIMAL + """
        upstreams:
          circuitBreaker:
            failureThreshold: -1
            openDuration: forever
        """)).containsExactly(
        at(11, 23, "/upstreams/circuitBreaker/failureThreshold: -1 (expected: 0..10000)"),
        at(12, 19, "/upstreams/circuitBreaker/openDuration: 'forever' is not a duration (expected: e.g. 500ms, 30s, 5m, "
            + "1h or PT30S)"));
  }
}

package dev.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.RateLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A route's own {@code maxBodySize} and {@code rateLimit} in a policy file. Positions counted by hand (from 1). */
class RouteLimitsTest {

  @Test
  void aRouteMaySetItsBodyLimitAndRateLimit() throws Exception {
    CompiledPolicy policy = PolicyCompilerTest.compile(PolicyCompilerTest.file("x.yaml", """
        routes:
          - id: uploads
            path: /uploads/**
            upstream: http://127.0.0.1:8081
            maxBodySize: 2GiB
            rateLimit: {requests: 100, per: 1m, burst: 10}
            allow:
              - authenticated: true
          - id: plain
            path: /plain/**
            upstream: http://127.0.0.1:8081
            public: true
        """));

    RouteOptions uploads = policy.routesById().get("uploads").options();
    assertThat(uploads.maxBodySize()).isEqualTo(2L << 30);
    assertThat(uploads.rateLimit()).isEqualTo(new RateLimit(100, Duration.ofMinutes(1), 10));
    RouteOptions plain = policy.routesById().get("plain").options();
    assertThat(plain.maxBodySize(1234)).as("the gateway's default").isEqualTo(1234);
    assertThat(plain.rateLimit()).isNull();
  }

  @Test
  void reportsMalformedRouteLimits() {
    assertThat(PolicyCompilerTest.errors("""
        routes:
          - id: uploads
            path: /uploads/**
            upstream: http://127.0.0.1:8081
            maxBodySize: -5
            rateLimit: {requests: 0, per: 1x}
            public: true
        """)).containsExactly(
        "policies/x.yaml:5:18: /routes/0/maxBodySize: '-5' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)",
        "policies/x.yaml:6:27: /routes/0/rateLimit/requests: 0 (expected: 1..1000000000)",
        "policies/x.yaml:6:35: /routes/0/rateLimit/per: '1x' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)");
  }

  @Test
  void aChangedLimitIsAChangedRoute() throws Exception {
    String before = """
        routes:
          - id: uploads
            path: /uploads/**
            upstream: http://127.0.0.1:8081
            public: true
        """;
    CompiledPolicy a = PolicyCompilerTest.compile(PolicyCompilerTest.file("x.yaml", before));
    CompiledPolicy b = PolicyCompilerTest.compile(PolicyCompilerTest.file("x.yaml", before + "    maxBodySize: 1KiB\n"));

    assertThat(RouteChanges.between(a, b).changed()).containsExactly("uploads");
  }
}

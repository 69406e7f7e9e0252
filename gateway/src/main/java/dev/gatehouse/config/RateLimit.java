package dev.gatehouse.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A token bucket: {@code requests} per {@code per} on average, at most {@code burst} at once. Written in
 * {@code gatehouse.yaml} ({@code rateLimits}) and in policy files (a route's {@code rateLimit}) as
 * {@code {requests: 100, per: 1m, burst: 20}}; {@code burst} defaults to {@code requests}.
 */
public record RateLimit(int requests, Duration per, int burst) {

  public RateLimit {
    Objects.requireNonNull(per, "per");
    if (requests < 1 || burst < 1 || per.isNegative() || per.isZero()) {
      throw new IllegalArgumentException("requests, burst and per must be positive");
    }
  }

  /** Nanoseconds between two tokens. */
  public long nanosPerToken() {
    return Math.max(1, per.toNanos() / requests);
  }

  @Override
  public String toString() {
    return requests + "/" + Quantities.format(per) + " (burst " + burst + ")";
  }

  /**
   * Reads {@code key} of {@code m}: absent gives {@code defaultValue}; {@code false} or {@code off} gives empty (no
   * limit); a mapping gives a limit. Problems are reported with their position and the default is used.
   */
  public static Optional<RateLimit> read(MappingReader m, String key, RateLimit defaultValue) {
    Optional<YamlNode> node = m.get(key);
    if (node.isEmpty() || (node.get() instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.NULL)) {
      return Optional.ofNullable(defaultValue);
    }
    if (node.get() instanceof YamlNode.Scalar s
        && ((s.type() == YamlNode.ScalarType.BOOLEAN && !Boolean.parseBoolean(s.text()))
            || (s.type() == YamlNode.ScalarType.STRING && s.text().equals("off")))) {
      return Optional.empty();
    }
    if (!(node.get() instanceof YamlNode.Mapping)) {
      m.problems().add(node.get(), "expected a mapping like {requests: 100, per: 1m, burst: 20}, or off");
      return Optional.ofNullable(defaultValue);
    }
    MappingReader r = m.mapping(key);
    if (!r.has("requests")) {
      r.missing("requests");
    }
    int requests = r.integer("requests", 1, 1, 1_000_000_000);
    Duration per = r.duration("per", Duration.ofMinutes(1), Duration.ofMillis(1), Duration.ofDays(1));
    int burst = r.integer("burst", requests, 1, 1_000_000_000);
    r.finish();
    return Optional.of(new RateLimit(requests, per, burst));
  }
}

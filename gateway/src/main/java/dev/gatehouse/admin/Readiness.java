package dev.gatehouse.admin;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether the gateway should receive traffic, and why not: it accepts connections (not draining), a policy is in
 * force, the certificate is valid, every issuer's keys were fetched at least once, and the event log can be written.
 */
public record Readiness(Map<String, String> failing) {

  public Readiness {
    failing = Collections.unmodifiableMap(new LinkedHashMap<>(failing)); // in the order the checks ran
  }

  public boolean ready() {
    return failing.isEmpty();
  }

  public static Builder builder() {
    return new Builder();
  }

  public JsonObject toJson() {
    return new JsonObject().put("ready", ready()).put("failing", new JsonObject(new LinkedHashMap<>(failing)));
  }

  /** Collects failed checks by name. */
  public static final class Builder {
    private final Map<String, String> failing = new LinkedHashMap<>();

    public Builder check(String name, boolean ok, String whyNot) {
      if (!ok) {
        failing.put(name, whyNot);
      }
      return this;
    }

    public Readiness build() {
      return new Readiness(failing);
    }
  }
}

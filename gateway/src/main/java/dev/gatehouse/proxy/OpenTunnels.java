package dev.gatehouse.proxy;

import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.PolicyEvaluator;
import dev.gatehouse.policy.Verdict;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open WebSocket tunnels, so that long-lived connections are not grandfathered: when a new policy no longer allows a
 * tunnel's caller on its route, or the credential it was opened with expires, the tunnel is closed. Checks run on
 * each tunnel's own event loop.
 */
final class OpenTunnels {

  /** What the registry needs from a tunnel. */
  interface Tunnel {
    Identity identity();

    String host();

    String path();

    Context context();

    /** Ends the tunnel with a WebSocket close code, at a frame boundary; called on the tunnel's context. */
    void end(int closeCode, String reason);
  }

  /** RFC 6455 close code for "the endpoint received a message that violates its policy". */
  static final int POLICY_VIOLATION = 1008;

  private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
  private final InstantSource clock;

  OpenTunnels(InstantSource clock) {
    this.clock = clock;
  }

  void add(Tunnel t) {
    open.add(t);
  }

  void remove(Tunnel t) {
    open.remove(t);
  }

  int size() {
    return open.size();
  }

  /** Checks every tunnel against a newly applied policy. */
  void recheck(CompiledPolicy policy) {
    for (Tunnel t : open) {
      t.context().runOnContext(v -> {
        Verdict verdict = PolicyEvaluator.verdict(policy, "GET", t.host(), t.path(), t.identity(), clock.instant());
        if (!verdict.allowed()) {
          t.end(POLICY_VIOLATION, "no longer allowed by policy " + policy.version() + ": " + verdict.outcome() + " ("
              + verdict.reason() + ")");
        }
      });
    }
  }

  /** Ends every tunnel, e.g. with 1001 (going away) on shutdown. */
  void closeAll(int closeCode, String reason) {
    for (Tunnel t : open) {
      t.context().runOnContext(v -> t.end(closeCode, reason));
    }
  }

  /** Closes, every {@code period}, the tunnels whose credential has expired (by the gateway's clock). */
  long sweepExpired(Vertx vertx, Duration period) {
    return vertx.setPeriodic(period.toMillis(), id -> {
      for (Tunnel t : open) {
        Identity identity = t.identity();
        if (identity != null && !clock.instant().isBefore(identity.expiresAt())) {
          t.context().runOnContext(v -> t.end(POLICY_VIOLATION, "the credential expired"));
        }
      }
    });
  }
}

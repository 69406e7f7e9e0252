package dev.gatehouse.bench;

import dev.gatehouse.identity.AuthMethod;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.Decision;
import dev.gatehouse.policy.PolicyEvaluator;
import dev.gatehouse.policy.PolicyFile;
import dev.gatehouse.policy.PolicyLoader;
import dev.gatehouse.policy.PolicyStore;
import dev.gatehouse.policy.RouteTable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy cost at scale: compiling (and testing and swapping in) a policy of many routes, and judging one request
 * against it (route lookup plus a rule with a permission, recent MFA and a tenant binding).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyBenchmark {

  @Param({"100", "10000"})
  int routes;

  List<PolicyFile> files;
  PolicyStore store;
  CompiledPolicy policy;
  Identity caller;
  Instant now;
  String host;
  String path;

  @Setup
  public void setUp() throws Exception {
    files = LargePolicy.files(Math.max(1, routes / 100), Math.min(100, routes));
    now = Instant.now();
    policy = PolicyLoader.check(files, now);
    store = new PolicyStore(policy);
    int n = routes / 2 + 1; // a route near the middle, on an exact host
    host = "app" + (n % 50) + ".example.com";
    path = "/api/v" + (n % 3) + "/area" + n + "/acme/items/42";
    caller = new Identity("alice", "https://idp.example.com", "alice@example.com", Set.of("group" + (n % 20)), "acme",
        List.of("pwd", "otp"), null, now.minusSeconds(60), now.plusSeconds(3600), AuthMethod.BEARER, Map.of("sub", "alice"));
    Decision d = decide();
    if (!d.allowed()) {
      throw new IllegalStateException("the benchmark request must be allowed: " + d);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public CompiledPolicy compileTestAndSwap() throws Exception {
    CompiledPolicy next = PolicyLoader.check(files, now);
    store.swap(next);
    return next;
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Decision decide() {
    CompiledPolicy p = store.current();
    RouteTable.Lookup lookup = p.routes().find(host, path, "GET");
    return PolicyEvaluator.evaluate(p, lookup.match(), caller, "GET", now);
  }
}

package dev.gatehouse.audit;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Turning one access event into its chained JSON line, as the event log's writer thread does (serialize with query
 * redaction, then hash into the chain). In this package because the serializer is package-private.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessEventBenchmark {

  EventSerializer serializer;
  HashChain chain;
  AccessEvent event;
  long seq;

  @Setup
  public void setUp() {
    serializer = new EventSerializer(new QueryRedactor(List.of("token", "code", "password", "secret", "key", "session")),
        "bench1");
    chain = new HashChain(null, HashChain.GENESIS, 1);
    Instant now = Instant.now();
    event = new AccessEvent(now, "5c0f2b7e9a4d4c1e8b3f6a2d7c9e1f04", "5c0f2b7e9a4d4c1e8b3f6a2d7c9e1f04", "198.51.100.23",
        null, "TLSv1.3", "TLS_AES_256_GCM_SHA384", "1.1", null, "GET", "app.example.com", "/billing/invoices",
        "page=2&code=abc&token=xyz", "billing", "4a12c29ab83e", "bearer", "alice", "alice@example.com", "acme",
        "https://idp.example.com/realms/corp", List.of("pwd", "otp"), "urn:example:loa:mfa", now.minusSeconds(600),
        "allow", "finance-staff", "allowed", "allowed by rule finance-staff", 200, 0, 5123, 18_412, 15_007,
        "10.0.3.7:8080", 200, "curl/8.5.0");
  }

  @Benchmark
  public byte[] serializeAndChain() throws Exception {
    byte[] line = serializer.serialize(event, ++seq);
    return chain.seal(line);
  }
}

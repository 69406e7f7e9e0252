package dev.gatehouse.bench;

import dev.gatehouse.request.RequestTarget;
import dev.gatehouse.request.TargetParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Request target normalization: the common clean path (fast path) and one that needs decoding and dot removal. */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NormalizerBenchmark {

  @Param({"/api/v1/tenants/acme/invoices/42?page=2", "/api/v1/tenants/acme/./x/../invoices/caf%C3%A9%20bar?page=2"})
  String target;

  @Benchmark
  public RequestTarget normalize() {
    return TargetParser.parse(target, "app.example.com");
  }
}

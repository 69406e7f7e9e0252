package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.GatewayProcess;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SIGTERM drains: in-flight requests finish, new connections are refused, the log is flushed, the exit code is 0. */
class ShutdownIT {

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
  }

  @AfterAll
  static void stop() {
    idp.close();
    upstream.close();
    vertx.close();
  }

  @Test
  void sigtermLetsASlowRequestFinishAndExitsZero() throws Exception {
    Promise<Void> release = Promise.promise();
    upstream.behave((request, body) -> release.future().onComplete(v -> request.response().end("finished")));
    Path config = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("listen", "host: 127.0.0.1\nport: 0\ninstances: 2\ndrainTimeout: 20s").write();
    String token = idp.token("ursula", Map.of("groups", List.of("staff")));
    try (GatewayProcess gateway = GatewayProcess.start(List.of(), "run", "--config", config.toString())) {
      int port = gateway.awaitListening();
      CompletableFuture<TestGateway.Response> slow =
          CompletableFuture.supplyAsync(() -> call(() -> RemoteClient.get(port, "/allowed/slow", token)));
      upstream.take(); // the request is at the upstream now

      gateway.process().destroy(); // SIGTERM
      assertThat(gateway.process().waitFor(1, TimeUnit.SECONDS)).as("still draining").isFalse();
      release.complete();

      TestGateway.Response r = slow.get(30, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("finished");
      assertThat(gateway.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(gateway.process().exitValue()).isZero();
      List<String> log = java.nio.file.Files.readAllLines(config.getParent().resolve("access.log"));
      assertThat(log).anyMatch(line -> line.contains("\"path\":\"/allowed/slow\"") && line.contains("\"status\":200"));
    } finally {
      upstream.behave(RecordingUpstream.ECHO);
    }
  }

  interface Call<T> {
    T run() throws Exception;
  }

  static <T> T call(Call<T> c) {
    try {
      return c.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

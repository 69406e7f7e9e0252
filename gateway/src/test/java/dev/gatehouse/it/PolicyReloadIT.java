package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.policy.PolicyStatus;
import dev.gatehouse.policy.ReloadResult;
import dev.gatehouse.testing.GatewayProcess;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Live reload: a valid edit takes effect, an invalid one is refused, and traffic never notices. */
class PolicyReloadIT {

  static final String V1 = """
      permissions:
        billing: [finance]
      routes:
        - id: billing
          path: /billing/**
          upstream: ${UPSTREAM}
          allow:
            - name: finance
              permissions: [billing]
      """;

  static final String V2 = """
      permissions:
        billing: [finance, interns]
      routes:
        - id: billing
          path: /billing/**
          upstream: ${UPSTREAM}
          allow:
            - name: finance-and-interns
              permissions: [billing]
        - id: reports
          path: /reports/**
          upstream: ${UPSTREAM}
          allow:
            - permissions: [billing]
      tests:
        - name: interns read invoices now
          identity: {sub: ivan, groups: [interns]}
          request: GET https://localhost/billing/invoices
          expect: allow
      """;

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static String finance;
  static String intern;
  TestGateway gateway;

  @BeforeAll
  static void startShared() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
    finance = idp.token("fiona", Map.of("groups", List.of("finance")));
    intern = idp.token("ivan", Map.of("groups", List.of("interns")));
  }

  @AfterAll
  static void stopShared() {
    idp.close();
    upstream.close();
    vertx.close();
  }

  @BeforeEach
  void start() {
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("billing.yaml", V1).start();
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.drain();
  }

  @Test
  void aValidEditTakesEffectWithinASecondOrTwo() throws Exception {
    assertThat(gateway.get("/billing/invoices", intern).status()).isEqualTo(403);
    String before = gateway.gateway().policyStatus().version();
    CompletableFuture<ReloadResult> reload = gateway.nextReload();
    long written = System.nanoTime();

    gateway.writePolicy("billing.yaml", V2, upstream);

    ReloadResult result = reload.get(10, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
    System.out.println("policy reload observed " + millis + " ms after the file was written");
    assertThat(result).isInstanceOf(ReloadResult.Applied.class);
    assertThat(millis).as("watch + debounce + compile").isLessThan(3_000);
    assertThat(gateway.get("/billing/invoices", intern).status()).isEqualTo(200);
    String after = gateway.gateway().policyStatus().version();
    assertThat(after).isNotEqualTo(before);
    List<JsonObject> access = gateway.newEvents();
    assertThat(access.get(0).getString("policy_version")).isEqualTo(before);
    assertThat(access.get(access.size() - 1).getString("policy_version")).isEqualTo(after);
  }

  @Test
  void anInvalidEditIsRefusedAndTheOldDecisionsStand() throws Exception {
    String before = gateway.gateway().policyStatus().version();
    CompletableFuture<ReloadResult> reload = gateway.nextReload();

    gateway.writePolicy("billing.yaml", V2.replaceFirst("permissions: \\[billing]", "permissions: [biling]"), upstream);

    ReloadResult result = reload.get(10, TimeUnit.SECONDS);
    assertThat(result).isInstanceOf(ReloadResult.Rejected.class);
    assertThat(((ReloadResult.Rejected) result).problems()).extracting(Object::toString)
        .anyMatch(p -> p.contains("billing.yaml:9:") && p.contains("unknown permission 'biling'"));
    assertThat(gateway.get("/billing/invoices", intern).status()).isEqualTo(403);
    assertThat(gateway.get("/billing/invoices", finance).status()).isEqualTo(200);
    PolicyStatus status = gateway.gateway().policyStatus();
    assertThat(status.version()).isEqualTo(before);
    assertThat(status.lastResult()).isEqualTo("rejected");
    assertThat(status.lastErrors()).anyMatch(e -> e.contains("unknown permission 'biling'"));
    JsonObject audit = lastReloadEvent();
    assertThat(audit.getString("result")).isEqualTo("rejected");
    assertThat(audit.getString("policy_version")).isEqualTo(before);
    assertThat(audit.getJsonArray("errors").encode()).contains("billing.yaml:9:");
  }

  @Test
  void anEditWhoseOwnTestCasesFailIsRefused() throws Exception {
    CompletableFuture<ReloadResult> reload = gateway.nextReload();

    gateway.writePolicy("billing.yaml", V2.replace("expect: allow", "expect: deny"), upstream);

    ReloadResult result = reload.get(10, TimeUnit.SECONDS);
    assertThat(result).isInstanceOf(ReloadResult.Rejected.class);
    assertThat(((ReloadResult.Rejected) result).problems().get(0).toString())
        .contains("test 'interns read invoices now': expected deny, got allow (allowed)");
    assertThat(gateway.get("/billing/invoices", intern).status()).isEqualTo(403);
  }

  @Test
  void theReloadAuditEventListsDigestsRouteChangesAndFlippedDecisions() throws Exception {
    assertThat(gateway.get("/billing/invoices", intern).status()).isEqualTo(403);
    CompletableFuture<ReloadResult> reload = gateway.nextReload();

    gateway.writePolicy("billing.yaml", V2, upstream);
    assertThat(reload.get(10, TimeUnit.SECONDS)).isInstanceOf(ReloadResult.Applied.class);

    JsonObject audit = lastReloadEvent();
    assertThat(audit.getString("result")).isEqualTo("applied");
    assertThat(audit.getString("trigger")).isEqualTo("file-change");
    byte[] content = Files.readAllBytes(gateway.dir().resolve("policies/billing.yaml"));
    assertThat(audit.getJsonArray("files").getJsonObject(0).getString("sha256"))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    assertThat(audit.getJsonObject("routes").getJsonArray("added").getList()).containsExactly("reports");
    assertThat(audit.getJsonObject("routes").getJsonArray("changed").getList()).containsExactly("billing");
    JsonObject decisions = audit.getJsonObject("decisions");
    assertThat(decisions.getInteger("flipped")).isEqualTo(1);
    JsonObject flip = decisions.getJsonArray("examples").getJsonObject(0);
    assertThat(flip.getString("subject")).isEqualTo("ivan");
    assertThat(flip.getString("before")).isEqualTo("deny (permission-missing)");
    assertThat(flip.getString("after")).isEqualTo("allow (allowed)");
  }

  @Test
  void reloadingUnderSteadyTrafficFailsNoRequest() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clients.add(CompletableFuture.runAsync(() -> {
        while (running.get()) {
          statuses.add(gateway.get("/billing/invoices", finance).status());
        }
      }));
    }
    Set<String> versions = new java.util.HashSet<>(Set.of(gateway.gateway().policyStatus().version()));
    for (int i = 0; i < 6; i++) {
      CompletableFuture<ReloadResult> reload = gateway.nextReload();
      gateway.writePolicy("billing.yaml", i % 2 == 0 ? V2 : V1.replace("name: finance", "name: finance-" + i), upstream);
      ReloadResult result = reload.get(10, TimeUnit.SECONDS);
      assertThat(result).isInstanceOf(ReloadResult.Applied.class);
      versions.add(result.inForce().version());
    }
    running.set(false);
    CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);

    assertThat(statuses).isNotEmpty().allMatch(s -> s == 200);
    List<JsonObject> access = gateway.newEvents();
    assertThat(access).hasSize(statuses.size());
    assertThat(access).allMatch(e -> versions.contains(e.getString("policy_version")));
    System.out.println(statuses.size() + " requests during 6 reloads, all 200");
  }

  @Test
  void aKubernetesConfigMapSwapIsPickedUp() throws Exception {
    Path policies = gateway.dir().resolve("policies");
    Path v1 = Files.createDirectories(policies.resolve("..2026_01_01_v1"));
    Files.writeString(v1.resolve("billing.yaml"), V1.replace("${UPSTREAM}", upstream.url()));
    Path v2 = Files.createDirectories(policies.resolve("..2026_01_02_v2"));
    Files.writeString(v2.resolve("billing.yaml"), V2.replace("${UPSTREAM}", upstream.url()));
    CompletableFuture<ReloadResult> first = gateway.nextReload();
    Files.createSymbolicLink(policies.resolve("..data_tmp"), v1.getFileName());
    Files.move(policies.resolve("..data_tmp"), policies.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.delete(policies.resolve("billing.yaml"));
    Files.createSymbolicLink(policies.resolve("billing.yaml"), Path.of("..data", "billing.yaml"));
    assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(ReloadResult.Unchanged.class);
    CompletableFuture<ReloadResult> second = gateway.nextReload();

    // the kubelet's atomic update: a new timestamped directory, then ..data is renamed over
    Files.createSymbolicLink(policies.resolve("..data_tmp"), v2.getFileName());
    Files.move(policies.resolve("..data_tmp"), policies.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThat(second.get(10, TimeUnit.SECONDS)).isInstanceOf(ReloadResult.Applied.class);
    assertThat(gateway.get("/billing/invoices", intern).status()).isEqualTo(200);
  }

  @Test
  void deletingAFileRemovesItsRoutes() throws Exception {
    CompletableFuture<ReloadResult> added = gateway.nextReload();
    gateway.writePolicy("reports.yaml", """
        routes:
          - id: status
            path: /status/**
            upstream: ${UPSTREAM}
            public: true
        """, upstream);
    assertThat(added.get(10, TimeUnit.SECONDS)).isInstanceOf(ReloadResult.Applied.class);
    assertThat(gateway.get("/status/x", null).status()).isEqualTo(200);
    CompletableFuture<ReloadResult> removed = gateway.nextReload();

    Files.delete(gateway.dir().resolve("policies/reports.yaml"));

    ReloadResult result = removed.get(10, TimeUnit.SECONDS);
    assertThat(((ReloadResult.Applied) result).changes().removed()).containsExactly("status");
    assertThat(gateway.get("/status/x", null).status()).isEqualTo(404);
  }

  @Test
  void sighupReloadsARunningGatewayWhoseDirectoryIsNotWatched() throws Exception {
    Path config = TestGateway.builder().idp(idp).upstream(upstream).policy("billing.yaml", V1)
        .section("policies", "directory: policies\npollInterval: 0s").write();
    try (GatewayProcess process = GatewayProcess.start(List.of(), "run", "--config", config.toString())) {
      int port = process.awaitListening();
      TestGateway.Response before = RemoteClient.get(port, "/billing/invoices", intern);
      assertThat(before.status()).isEqualTo(403);
      String text = V2.replace("${UPSTREAM}", upstream.url());
      Files.writeString(config.getParent().resolve("policies/billing.yaml"), text);

      new ProcessBuilder("kill", "-HUP", Long.toString(process.process().pid())).start().waitFor();

      int status = 0;
      for (int attempt = 0; attempt < 100 && status != 200; attempt++) {
        status = RemoteClient.get(port, "/billing/invoices", intern).status();
        if (status != 200) {
          Thread.sleep(100); // polling for the outcome of an asynchronous signal, bounded to 10 s
        }
      }
      assertThat(status).isEqualTo(200);
      assertThat(process.stderr()).anyMatch(l -> l.contains("applied (signal)"));
    }
  }

  private JsonObject lastReloadEvent() {
    List<JsonObject> reloads = gateway.events().stream().filter(e -> "policy_reload".equals(e.getString("type"))).toList();
    assertThat(reloads).isNotEmpty();
    return reloads.get(reloads.size() - 1);
  }
}

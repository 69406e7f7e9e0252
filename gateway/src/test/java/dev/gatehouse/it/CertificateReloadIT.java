package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RawHttps;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestPki;
import dev.gatehouse.tls.Pem;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** New certificate files switch new handshakes to the new certificate without a restart or a failed request. */
class CertificateReloadIT {

  static final String PUBLIC = """
      routes:
        - id: public
          path: /public/**
          upstream: ${UPSTREAM}
          public: true
      """;

  Vertx vertx;
  RecordingUpstream upstream;
  TestGateway gateway;
  Path certificate;
  Path key;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    Path tls = Files.createTempDirectory(TestPki.directory(), "tls-");
    certificate = Files.copy(TestPki.server().certificate(), tls.resolve("server.crt"));
    key = Files.copy(TestPki.server().key(), tls.resolve("server.key"));
    gateway = TestGateway.builder().issuer("https://localhost:9/idp").upstream(upstream).policy("p.yaml", PUBLIC)
        .tls("certificate: " + certificate + "\nkey: " + key + "\nreloadInterval: 100ms").start();
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
    vertx.close();
  }

  BigInteger servedSerial() throws Exception {
    try (SSLSocket socket = RawHttps.connect(gateway.port())) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  static BigInteger serial(Path certificateFile) throws Exception {
    return Pem.readCertificates(certificateFile).get(0).getSerialNumber();
  }

  /** Replaces a file the way deployment tools do: write aside, then rename over. */
  static void replace(Path target, Path content) throws Exception {
    Path temp = Files.createTempFile(target.getParent(), ".new", ".tmp");
    Files.copy(content, temp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  JsonObject awaitReloadEvent(String result) throws Exception {
    for (int i = 0; i < 200; i++) {
      List<JsonObject> reloads = gateway.events().stream()
          .filter(e -> "certificate_reload".equals(e.getString("type")) && result.equals(e.getString("result"))).toList();
      if (!reloads.isEmpty()) {
        return reloads.get(reloads.size() - 1);
      }
      Thread.sleep(50); // the reload is asynchronous (file watch); bounded wait for its event
    }
    throw new AssertionError("no certificate_reload " + result + " event within 10 s");
  }

  @Test
  void newHandshakesGetTheNewCertificateWhileASteadyClientNeverFails() throws Exception {
    var rotated = TestPki.rotatedServer();
    assertThat(servedSerial()).isEqualTo(serial(certificate));
    SSLSocket keptOpen = RawHttps.connect(gateway.port());
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
      while (running.get()) {
        try {
          statuses.add(RawHttps.status(RawHttps.exchange(gateway.port(),
              "GET /public/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")));
        } catch (Exception e) {
          statuses.add(-1);
        }
      }
    });

    // key first, then certificate: in between the pair does not match and must be refused, not installed
    replace(key, rotated.key());
    replace(certificate, rotated.certificate());
    JsonObject applied = awaitReloadEvent("applied");
    int atReload = statuses.size();
    for (int i = 0; i < 600 && statuses.size() < atReload + 30; i++) {
      Thread.sleep(50); // let the steady client make 30 more requests on the new certificate (bounded to 30 s)
    }
    running.set(false);
    client.get(30, TimeUnit.SECONDS);

    assertThat(applied.getString("sha256")).hasSize(64).isNotEqualTo(applied.getString("previous_sha256"));
    assertThat(servedSerial()).isEqualTo(serial(rotated.certificate()));
    assertThat(statuses).hasSizeGreaterThanOrEqualTo(atReload + 30).allMatch(s -> s == 200);
    // an open connection keeps the session it has
    keptOpen.getOutputStream().write("GET /public/y HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
    assertThat(((X509Certificate) keptOpen.getSession().getPeerCertificates()[0]).getSerialNumber())
        .isEqualTo(serial(TestPki.server().certificate()));
    keptOpen.close();
    System.out.println(statuses.size() + " requests on new connections during the certificate rotation, all 200");
  }

  @Test
  void aMismatchedKeyIsRefusedAndTheOldPairKeepsServing() throws Exception {
    replace(certificate, TestPki.rotatedServer().certificate());

    JsonObject rejected = awaitReloadEvent("rejected");

    assertThat(rejected.getString("error")).contains("the private key does not belong to the certificate");
    assertThat(servedSerial()).isEqualTo(serial(TestPki.server().certificate()));
    assertThat(RawHttps.status(RawHttps.exchange(gateway.port(),
        "GET /public/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))).isEqualTo(200);
  }

  @Test
  void aCertificateWeakerThanRsa4096IsRefusedOnReloadToo() throws Exception {
    replace(key, TestPki.weakServer().key());
    replace(certificate, TestPki.weakServer().certificate());

    assertThat(awaitReloadEvent("rejected").getString("error")).contains("2048 bits");
  }
}

package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.testing.ClientHello;
import dev.gatehouse.testing.RawHttps;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The listener's TLS policy: versions, suites, certificate strength, ALPN, HSTS. */
class TlsIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  @Test
  void tls11IsRefused() throws Exception {
    ClientHello.Result r = ClientHello.offer(gateway.port(), ClientHello.TLS_1_1,
        ClientHello.ECDHE_RSA_AES_128_CBC_SHA, ClientHello.RSA_AES_128_CBC_SHA);

    assertThat(r.answer()).isNotEqualTo(ClientHello.Answer.SERVER_HELLO);
  }

  @Test
  void tls12WithOnlyCbcSuitesIsRefused() throws Exception {
    ClientHello.Result r = ClientHello.offer(gateway.port(), ClientHello.TLS_1_2, ClientHello.ECDHE_RSA_AES_128_CBC_SHA,
        ClientHello.ECDHE_RSA_AES_256_CBC_SHA, ClientHello.ECDHE_RSA_AES_128_CBC_SHA256, ClientHello.RSA_AES_128_CBC_SHA);

    assertThat(r.answer()).isNotEqualTo(ClientHello.Answer.SERVER_HELLO);
  }

  @Test
  void tls12WithoutForwardSecrecyIsRefused() throws Exception {
    ClientHello.Result r = ClientHello.offer(gateway.port(), ClientHello.TLS_1_2, ClientHello.RSA_AES_128_GCM_SHA256);

    assertThat(r.answer()).isNotEqualTo(ClientHello.Answer.SERVER_HELLO);
  }

  @Test
  void tls12ChaChaIsRefused() throws Exception {
    ClientHello.Result r = ClientHello.offer(gateway.port(), ClientHello.TLS_1_2, ClientHello.ECDHE_RSA_CHACHA20_POLY1305);

    assertThat(r.answer()).isNotEqualTo(ClientHello.Answer.SERVER_HELLO);
  }

  @Test
  void tls12EcdheAesGcmIsChosenAmongWeakerOffers() throws Exception {
    ClientHello.Result r = ClientHello.offer(gateway.port(), ClientHello.TLS_1_2, ClientHello.ECDHE_RSA_AES_128_CBC_SHA,
        ClientHello.RSA_AES_128_GCM_SHA256, ClientHello.ECDHE_RSA_AES_128_GCM_SHA256);

    assertThat(r.answer()).isEqualTo(ClientHello.Answer.SERVER_HELLO);
    assertThat(r.cipherSuite()).isEqualTo(ClientHello.ECDHE_RSA_AES_128_GCM_SHA256);
  }

  @Test
  void tls13NegotiatesAnAesGcmSuite() throws Exception {
    try (SSLSocket socket = RawHttps.connect(gateway.port())) {
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(socket.getSession().getCipherSuite()).isIn("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");
    }
  }

  @Test
  void tls13ChaChaOnlyClientIsRefused() throws Exception {
    SSLContext context = RawHttps.trustingTestCa();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", gateway.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.setEnabledCipherSuites(new String[] {"TLS_CHACHA20_POLY1305_SHA256"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
    }
  }

  @Test
  void theServerCertificateIsRsa4096() throws Exception {
    try (SSLSocket socket = RawHttps.connect(gateway.port())) {
      var key = (java.security.interfaces.RSAPublicKey) socket.getSession().getPeerCertificates()[0].getPublicKey();
      assertThat(key.getModulus().bitLength()).isEqualTo(4096);
    }
  }

  @Test
  void http2IsNegotiatedWithAlpn() {
    TestGateway.Response r = gateway.sendHttp2(HttpMethod.GET, "/public/status", Map.of());

    assertThat(r.status()).isEqualTo(200);
    assertThat(upstream.take().headers().get("X-Forwarded-Proto")).isEqualTo("https");
  }

  @Test
  void everyResponseCarriesHsts() throws Exception {
    String expected = "max-age=31536000; includeSubDomains";
    assertThat(gateway.get("/public/status", null).header("Strict-Transport-Security")).isEqualTo(expected);
    upstream.take();
    assertThat(gateway.get("/no/such/route", null).header("Strict-Transport-Security")).isEqualTo(expected);
    assertThat(gateway.get("/billing/x", null).header("Strict-Transport-Security")).isEqualTo(expected);
    String raw = RawHttps.exchange(gateway.port(), "GET /a%2Fb HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(raw).contains("strict-transport-security: " + expected);
    assertThat(gateway.sendHttp2(HttpMethod.GET, "/no/such/route", Map.of()).header("Strict-Transport-Security"))
        .isEqualTo(expected);
  }

  @Test
  void hstsFromTheUpstreamIsReplacedByTheGatewaysOwn() {
    upstream.behave((request, body) -> body.onSuccess(v -> request.response()
        .putHeader("Strict-Transport-Security", "max-age=0").end("ok")));
    try {
      TestGateway.Response r = gateway.get("/public/x", null);
      assertThat(r.headers().getAll("Strict-Transport-Security")).containsExactly("max-age=31536000; includeSubDomains");
    } finally {
      upstream.behave(RecordingUpstream.ECHO);
      upstream.drain();
    }
  }

  @Test
  void aGatewayWithA2048BitCertificateRefusesToStart() {
    var weak = TestPki.weakServer();

    assertThatThrownBy(() -> TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .certificate(weak.certificate(), weak.key()).start())
        .hasMessageContaining("2048 bits")
        .hasMessageContaining("at least 4096 bits are required");
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefused() {
    var other = TestPki.otherServer("mismatch");

    assertThatThrownBy(() -> TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .certificate(TestPki.server().certificate(), other.key()).start())
        .hasMessageContaining("the private key does not belong to the certificate");
  }

  @Test
  void http11StillWorksForClientsWithoutAlpn() {
    TestGateway.Response r = gateway.send(HttpMethod.GET, "/public/status", Map.of(), null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(upstream.take().uri()).isEqualTo("/public/status");
  }
}

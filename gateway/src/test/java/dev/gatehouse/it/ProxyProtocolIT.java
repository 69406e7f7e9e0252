package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.RawHttps;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code listen.proxyProtocol}: behind a load balancer that terminates TCP, the PROXY header it sends names the client,
 * and that address is the one logged, forwarded and rate-limited, but only when the header comes from a trusted source.
 */
class ProxyProtocolIT {

  static Vertx vertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway behindBalancer;
  static TestGateway untrusting;
  static String token;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    upstream = RecordingUpstream.start(vertx);
    idp = TestIdp.start();
    behindBalancer = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("listen", "host: 127.0.0.1\nport: 0\ninstances: 2\nproxyProtocol:\n  trustedSources: [127.0.0.0/8]")
        .section("rateLimits", "failedAuth:\n  perAddress: {requests: 1, per: 1h}")
        .start();
    untrusting = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("listen", "host: 127.0.0.1\nport: 0\ninstances: 2\nproxyProtocol:\n  trustedSources: [10.0.0.0/8]")
        .start();
    token = idp.token("ursula", Map.of("groups", List.of("staff")));
  }

  @AfterAll
  static void stop() {
    behindBalancer.close();
    untrusting.close();
    idp.close();
    upstream.close();
    vertx.close();
  }

  /** As a balancer does: the PROXY v1 line on the TCP connection, then the client's TLS. */
  static String viaBalancer(int port, String client, String request) throws IOException {
    Socket tcp = new Socket("127.0.0.1", port);
    tcp.setSoTimeout(10_000);
    tcp.getOutputStream().write(("PROXY TCP4 " + client + " 127.0.0.1 55555 443\r\n").getBytes(StandardCharsets.US_ASCII));
    try (SSLSocket tls = (SSLSocket) RawHttps.trustingTestCa().getSocketFactory()
        .createSocket(tcp, "localhost", port, true)) {
      tls.startHandshake();
      tls.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      tls.getOutputStream().flush();
      InputStream in = tls.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
      return ""; // the gateway closed the connection
    }
  }

  @Test
  void theClientAddressFromATrustedBalancerIsLoggedForwardedAndRateLimited() throws Exception {
    String answer = viaBalancer(behindBalancer.port(), "203.0.113.7", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 200");
    assertThat(upstream.take().headers().get("X-Forwarded-For")).isEqualTo("203.0.113.7");
    List<JsonObject> events = behindBalancer.newEvents();
    assertThat(events.get(events.size() - 1).getString("client_address")).isEqualTo("203.0.113.7");

    // one failed authentication per hour from that client: the next one is refused, another client's is not
    String bad = "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer not.a.jwt\r\nConnection: close\r\n\r\n";
    assertThat(viaBalancer(behindBalancer.port(), "203.0.113.7", bad)).startsWith("HTTP/1.1 401");
    assertThat(viaBalancer(behindBalancer.port(), "203.0.113.7", bad)).startsWith("HTTP/1.1 429");
    assertThat(viaBalancer(behindBalancer.port(), "198.51.100.9", bad)).startsWith("HTTP/1.1 401");
  }

  @Test
  void aProxyHeaderFromAnUntrustedPeerIsNotBelieved() throws Exception {
    String answer = viaBalancer(untrusting.port(), "203.0.113.7", "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");

    assertThat(answer).isEmpty();
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void aConnectionWithoutAProxyHeaderIsNotServed() throws Exception {
    String answer;
    try {
      answer = RawHttps.exchange(behindBalancer.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
    } catch (IOException e) {
      answer = ""; // the TLS handshake never completed: the ClientHello is not a PROXY header
    }

    assertThat(answer).isEmpty();
    assertThat(upstream.drain()).isEmpty();
  }
}

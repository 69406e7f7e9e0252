package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.testing.AppVerifier;
import dev.gatehouse.testing.RawHttps;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Identity and assertion headers under configured names are the gateway's alone, like the default ones. */
class ConfiguredHeaderNamesIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static TestGateway gateway;
  static String ada;

  @BeforeAll
  static void start() {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start();
    gateway = TestGateway.builder().idp(idp).upstream(upstream).policy("saas.yaml", Policies.SAAS)
        .section("identityHeaders", "user: X-Auth-User\nemail: X-Auth-Email\ngroups: X-Auth-Groups\ntenant: X-Auth-Org")
        .section("assertion", "header: X-Edge-Identity\nlifetime: 30s\naudience: internal-apps")
        .start();
    ada = idp.token("ada", Map.of("groups", List.of("admins"), "email", "ada@example.com", "tenant", "acme"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  @AfterEach
  void nothingElseReachedTheUpstream() {
    assertThat(upstream.drain()).isEmpty();
  }

  static void assertGatewaysOwn(MultiMap seen) throws Exception {
    assertThat(seen.getAll("X-Auth-User")).containsExactly("ada");
    assertThat(seen.getAll("X-Auth-Email")).containsExactly("ada@example.com");
    assertThat(seen.getAll("X-Auth-Groups")).containsExactly("admins");
    assertThat(seen.getAll("X-Auth-Org")).containsExactly("acme");
    assertThat(seen.getAll("X-Edge-Identity")).hasSize(1);
    var claims = new AppVerifier(gateway.port(), "gatehouse-test", "internal-apps", InstantSource.system(), 5)
        .verify(seen.get("X-Edge-Identity"));
    assertThat(claims.getSubject()).isEqualTo("ada");
    assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(30_000);
    assertThat(seen.names()).noneMatch(n -> n.toLowerCase().startsWith("x-forwarded-user")
        || n.toLowerCase().startsWith("x-gatehouse-") || n.contains("_"));
    assertThat(seen.entries()).noneMatch(e -> e.getValue().equals("mallory") || e.getValue().equals("forged"));
  }

  @Test
  void spoofedConfiguredNamesInAnyFormNeverReachTheUpstream() throws Exception {
    String raw = RawHttps.exchange(gateway.port(), "GET /allowed/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + ada + "\r\n"
        + "X-Auth-User: mallory\r\nx_auth_user: mallory\r\nX-AUTH-ORG: mallory\r\nX_Auth_Email: mallory\r\n"
        + "x-edge-identity: forged\r\nX_EDGE_IDENTITY: forged\r\nX-Gatehouse-Assertion: forged\r\n"
        + "X-Forwarded-User: mallory\r\n"
        + "Connection: close, X-Auth-User, X-Auth-Groups, X-Edge-Identity\r\n\r\n");

    assertThat(RawHttps.status(raw)).isEqualTo(200);
    assertGatewaysOwn(upstream.take().headers());
  }

  @Test
  void http2RequestsGetTheConfiguredNamesToo() throws Exception {
    TestGateway.Response r = gateway.sendHttp2(HttpMethod.GET, "/allowed/x", Map.of("Authorization", "Bearer " + ada,
        "x-auth-user", "mallory", "x-edge-identity", "forged", "x_auth_groups", "mallory"));

    assertThat(r.status()).isEqualTo(200);
    assertGatewaysOwn(upstream.take().headers());
  }
}

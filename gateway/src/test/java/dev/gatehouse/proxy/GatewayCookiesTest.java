package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayCookiesTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "theme=dark; __Host-gatehouse-session=abc; lang=en | theme=dark; lang=en",
      "__Host-gatehouse-session=abc                      | ",
      "__HOST-GATEHOUSE-session=abc;app=1                | app=1",
      "__Secure-gatehouse-state=x; gatehouse_csrf=y; a=b | a=b",
      "gatehouse                                         | ",
      "a=1;b=2                                           | a=1;b=2",
      "app-gatehouse=1                                   | app-gatehouse=1"})
  void theGatewaysCookiesAreTakenOutAndTheRestKept(String in, String out) {
    assertThat(GatewayCookies.withoutGatewayCookies(in)).isEqualTo(out);
  }

  @Test
  void everyCookieHeaderIsFiltered() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("cookie", "a=1").add("cookie", "__Host-gatehouse-session=s").add("Cookie", "b=2; gatehouse-x=1");

    GatewayCookies.removeFromRequest(headers);

    assertThat(headers.getAll("cookie")).containsExactly("a=1", "b=2");
  }

  @Test
  void anAppCannotSetTheGatewaysCookies() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Set-Cookie", "__Host-gatehouse-session=fixated; Path=/; Secure").add("Set-Cookie", "app=1; Path=/");

    GatewayCookies.removeFromResponse(headers);

    assertThat(headers.getAll("set-cookie")).containsExactly("app=1; Path=/");
  }
}

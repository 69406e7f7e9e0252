package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.Reason;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionCookiesTest {

  static final String ATTRIBUTES = "; Path=/; Secure; HttpOnly; SameSite=Lax";

  static SessionCookies request(String... cookieHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String h : cookieHeaders) {
      headers.add("Cookie", h);
    }
    return SessionCookies.of(headers);
  }

  @Test
  void aSmallSessionIsOneHostOnlyCookie() {
    List<String> set = request().storeSession("abc.def", Duration.ofHours(2));

    assertThat(set).containsExactly("__Host-gatehouse-session=abc.def; Max-Age=7200" + ATTRIBUTES);
  }

  @Test
  void aLargeSessionIsSplitAndJoinedBackInOrder() {
    String sealed = "x".repeat(3800) + "y".repeat(3800) + "z".repeat(100);

    List<String> set = request("__Host-gatehouse-session=old").storeSession(sealed, Duration.ofHours(1));

    assertThat(set).hasSize(4);
    assertThat(set.get(0)).startsWith("__Host-gatehouse-session-1=xxx").endsWith("; Max-Age=3600" + ATTRIBUTES);
    assertThat(set.get(2)).isEqualTo("__Host-gatehouse-session-3=" + "z".repeat(100) + "; Max-Age=3600" + ATTRIBUTES);
    assertThat(set.get(3)).as("the old single cookie goes").isEqualTo("__Host-gatehouse-session=; Max-Age=0" + ATTRIBUTES);
    String[] cookies = set.subList(0, 3).stream().map(c -> c.split(";", 2)[0]).toArray(String[]::new);
    assertThat(request(String.join("; ", cookies)).session()).isEqualTo(sealed);
    assertThat(request(cookies[0], cookies[1] + "; theme=dark", cookies[2]).session()).as("HTTP/2 splits Cookie")
        .isEqualTo(sealed);
  }

  @Test
  void partsLeftFromALargerSessionAreCleared() {
    List<String> set = request("__Host-gatehouse-session-1=a; __Host-gatehouse-session-2=b")
        .storeSession("small", Duration.ofHours(1));

    assertThat(set).containsExactly("__Host-gatehouse-session=small; Max-Age=3600" + ATTRIBUTES,
        "__Host-gatehouse-session-1=; Max-Age=0" + ATTRIBUTES, "__Host-gatehouse-session-2=; Max-Age=0" + ATTRIBUTES);
  }

  @Test
  void aSessionThatNeedsMoreThanThreeCookiesIsRefusedNotTruncated() {
    Reason.Rejection r = catchThrowableOfType(Reason.Rejection.class,
        () -> request().storeSession("x".repeat(3 * 3800 + 1), Duration.ofHours(1)));

    assertThat(r.reason()).isEqualTo(Reason.SESSION_TOO_LARGE);
    assertThat(r.detail()).isEqualTo("the session would need 4 cookies of 4 KiB, more than the 3 the gateway uses "
        + "(the identity has too many groups or claims)");
  }

  @Test
  void otherCookiesAndLookAlikesAreNotTheSession() {
    assertThat(request("gatehouse-session=x; __Secure-gatehouse-session=y; theme=dark").session()).isNull();
    assertThat(request("__Host-gatehouse-session=first; __Host-gatehouse-session=second").session()).isEqualTo("first");
    assertThat(request("__Host-gatehouse-session-2=b").session()).as("no first part, no session").isNull();
  }
}

package dev.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Security invariant 9: after sign-in the browser only ever goes to a path on the gateway's own origin. */
class PendingSignInTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/billing/invoices", "/a?next=https://evil.example/", "/a?x=%2F%2Fevil", "/%2F%2Fhost"})
  void pathsOnThisOriginAreSafe(String path) {
    assertThat(PendingSignIn.isSafeReturnPath(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "//evil.example/", "/\\evil.example/", "https://evil.example/", "evil.example",
      "/a\r\nSet-Cookie: x=y", "/a b", "/\t/evil.example", "javascript:alert(1)", "/a\\b", "/caf\u00e9"})
  void anythingThatCouldLeaveTheOriginIsNot(String path) {
    assertThat(PendingSignIn.isSafeReturnPath(path)).isFalse();
  }
}

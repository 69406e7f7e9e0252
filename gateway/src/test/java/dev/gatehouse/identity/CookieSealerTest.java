package dev.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CookieSealerTest {

  final CookieSealer sealer = new CookieSealer(SessionKeyStore.generated());

  @Test
  void sealsAndOpens() throws Exception {
    String sealed = sealer.seal(Map.of("sub", "alice"), "p");

    assertThat(sealed.split("\\.")).hasSize(5);
    assertThat(sealed).doesNotContain("alice");
    assertThat(sealer.open(sealed, "p")).containsEntry("sub", "alice");
  }

  @Test
  void aCookieSealedForAnotherPurposeDoesNotOpen() {
    String signIn = sealer.seal(Map.of("sub", "alice"), "gatehouse-sign-in");

    assertThat(catchThrowableOfType(CookieSealer.Unsealable.class, () -> sealer.open(signIn, "gatehouse-session")))
        .hasMessage("the cookie was sealed for another purpose");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 30, 60, 100, 200})
  void anyChangedCharacterMakesItUnopenable(int position) {
    String sealed = sealer.seal(Map.of("sub", "alice", "groups", java.util.List.of("a", "b")), "p");
    int i = Math.min(position, sealed.length() - 1);
    // flip the highest of the character's six bits: the low bits of a base64url string's last character may be
    // unused padding, and changing only those would decode to the same bytes
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int value = alphabet.indexOf(sealed.charAt(i));
    char c = value < 0 ? 'A' : alphabet.charAt(value ^ 32);
    String changed = sealed.substring(0, i) + c + sealed.substring(i + 1);

    assertThat(catchThrowableOfType(CookieSealer.Unsealable.class, () -> sealer.open(changed, "p"))).isNotNull();
  }

  @Test
  void aCookieOfAnotherKeyDoesNotOpen() {
    String foreign = new CookieSealer(SessionKeyStore.generated()).seal(Map.of("sub", "alice"), "p");

    assertThat(catchThrowableOfType(CookieSealer.Unsealable.class, () -> sealer.open(foreign, "p")))
        .hasMessage("the cookie was sealed with a key the gateway does not have");
  }

  @Test
  void garbageIsNotACookie() {
    assertThat(catchThrowableOfType(CookieSealer.Unsealable.class, () -> sealer.open("not-a-jwe", "p")))
        .hasMessage("the cookie is not an encrypted gateway cookie");
    assertThat(catchThrowableOfType(CookieSealer.Unsealable.class, () -> sealer.open("a".repeat(20_000), "p")))
        .hasMessage("the cookie is too long");
  }
}

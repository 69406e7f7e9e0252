package dev.gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClaimPathTest {

  /** A Keycloak-, Auth0- and Entra-flavoured mix of claims. */
  private static final Map<String, Object> CLAIMS = Map.of(
      "sub", "u1",
      "email", "alice@example.com",
      "groups", List.of("finance", 7, "ops"),
      "roles", "admin",
      "realm_access", Map.of("roles", List.of("support", "offline_access")),
      "resource_access", Map.of("my.app", Map.of("roles", List.of("editor")), "my", Map.of("app", "wrong")),
      "https://example.com/roles", List.of("auditor"),
      "scope", "openid  profile invoices:read ",
      "scp", List.of("a", "b"),
      "org", Map.of("tenant", "acme", "level", 3));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      # path                              | strings
      email                               | [alice@example.com]
      groups                              | [finance, ops]
      roles                               | [admin]
      realm_access.roles                  | [support, offline_access]
      resource_access."my.app".roles      | [editor]
      "resource_access"."my.app"."roles"  | [editor]
      "https://example.com/roles"         | [auditor]
      scope                               | [openid, profile, invoices:read]
      scp                                 | [a, b]
      org.tenant                          | [acme]
      org.level                           | []
      org                                 | []
      missing                             | []
      realm_access.missing                | []
      email.domain                        | []
      resource_access.my.app.roles        | []
      https://example.com/roles           | []
      """)
  void readsStringsAtPath(String path, String expected) {
    assertThat(ClaimPath.parse(path).strings(CLAIMS).toString()).isEqualTo(expected);
  }

  @Test
  void resolvesRawValues() {
    assertThat(ClaimPath.parse("org.level").resolve(CLAIMS)).isEqualTo(3);
    assertThat(ClaimPath.parse("resource_access.my.app").resolve(CLAIMS)).isEqualTo("wrong");
    assertThat(ClaimPath.parse("resource_access.\"my.app\"").resolve(CLAIMS)).isEqualTo(Map.of("roles", List.of("editor")));
    assertThat(ClaimPath.parse("groups.0").resolve(CLAIMS)).isNull();
  }

  @Test
  void readsSingleStringOnly() {
    assertThat(ClaimPath.parse("org.tenant").string(CLAIMS)).isEqualTo("acme");
    assertThat(ClaimPath.parse("groups").string(CLAIMS)).isNull();
    assertThat(ClaimPath.parse("org.level").string(CLAIMS)).isNull();
    assertThat(ClaimPath.parse("nope").string(CLAIMS)).isNull();
  }

  @Test
  void splitsOnlyScopeLikeClaims() {
    Map<String, Object> claims = Map.of("scope", "a b", "description", "a b", "x", Map.of("scp", "c d"));

    assertThat(ClaimPath.parse("scope").strings(claims)).containsExactly("a", "b");
    assertThat(ClaimPath.parse("x.scp").strings(claims)).containsExactly("c", "d");
    assertThat(ClaimPath.parse("description").strings(claims)).containsExactly("a b");
    assertThat(ClaimPath.parse("scope").strings(Map.of("scope", "   "))).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      ''                  | empty name in claim path '' (quote names that contain dots)
      a..b                | empty name in claim path 'a..b' (quote names that contain dots)
      .a                  | empty name in claim path '.a' (quote names that contain dots)
      a.                  | empty name in claim path 'a.' (quote names that contain dots)
      a."b                | unterminated quote in claim path 'a."b'
      """)
  void rejectsInvalidPath(String text, String message) {
    assertThatThrownBy(() -> ClaimPath.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void comparesByNamesNotSpelling() {
    assertThat(ClaimPath.parse("\"a\".b")).isEqualTo(ClaimPath.parse("a.b")).hasSameHashCodeAs(ClaimPath.parse("a.b"));
    assertThat(ClaimPath.parse("\"a.b\"")).isNotEqualTo(ClaimPath.parse("a.b"));
    assertThat(ClaimPath.parse("\"a\".b")).hasToString("\"a\".b");
  }
}

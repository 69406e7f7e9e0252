package dev.gatehouse.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {

  @ParameterizedTest(name = "{0} -> {1} / {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # raw                        | canonical decoded   | canonical encoded
      /                            | /                   | /
      /a/b                         | /a/b                | /a/b
      /a/b/                        | /a/b/               | /a/b/
      /~user/a-b_c.d!$&'()*+,=:@   | /~user/a-b_c.d!$&'()*+,=:@ | /~user/a-b_c.d!$&'()*+,=:@
      /a/../b                      | /b                  | /b
      /a/./b                       | /a/b                | /a/b
      //a//b/                      | /a/b/               | /a/b/
      /a/b/..                      | /a/                 | /a/
      /a/b/.                       | /a/b/               | /a/b/
      /a/..                        | /                   | /
      /./                          | /                   | /
      /a/%2e%2e/b                  | /b                  | /b
      /a/%2E%2E/b                  | /b                  | /b
      /a/.%2e/b                    | /b                  | /b
      /a/%2e./b                    | /b                  | /b
      /a/%2e/b                     | /a/b                | /a/b
      /a/...                       | /a/...              | /a/...
      /a/.hidden/..x               | /a/.hidden/..x      | /a/.hidden/..x
      /caf%C3%A9                   | /café               | /caf%C3%A9
      /caf%c3%a9                   | /café               | /caf%C3%A9
      /%E2%82%AC/%F0%9F%98%80      | /€/😀               | /%E2%82%AC/%F0%9F%98%80
      /%41%62c                     | /Abc                | /Abc
      /a%3Ab%40c                   | /a:b@c              | /a:b@c
      /a%20b                       | /a b                | /a%20b
      "/{x}|y"                     | "/{x}|y"            | /%7Bx%7D%7Cy
      /a%7bb%7D                    | /a{b}               | /a%7Bb%7D
      /a"b<c>^`                    | /a"b<c>^`           | /a%22b%3Cc%3E%5E%60
      /a%3fb                       | /a?b                | /a%3Fb
      /a%23b                       | /a#b                | /a%23b
      /a%2e                        | /a.                 | /a.
      """)
  void acceptsAndCanonicalizes(String raw, String decoded, String encoded) {
    PathNormalizer.CanonicalPath path = PathNormalizer.normalize(raw);

    assertThat(path.decoded()).isEqualTo(decoded);
    assertThat(path.encoded()).isEqualTo(encoded);
    assertThat(percentDecode(path.encoded()))
        .as("decoding the encoded path once gives exactly the decoded path")
        .isEqualTo(path.decoded());
    assertThat(PathNormalizer.normalize(path.encoded()))
        .as("normalizing is idempotent")
        .isEqualTo(path);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # raw                   | detail contains
      ""                      | the path must start with '/'
      a/b                     | the path must start with '/'
      /..                     | '..' climbs above the root
      /../a                   | '..' climbs above the root
      /a/../..                | '..' climbs above the root
      /a/../../b              | '..' climbs above the root
      /%2e%2e                 | '..' climbs above the root
      /.%2E/etc/passwd        | '..' climbs above the root
      /a%2Fb                  | encoded '/' (%2F)
      /a%2fb                  | encoded '/' (%2F)
      /..%2f..%2fetc          | encoded '/' (%2F)
      /a%5Cb                  | encoded backslash (%5C)
      /a%5cb                  | encoded backslash (%5C)
      /a\\b                   | backslash in path
      /a%00b                  | NUL (%00)
      /a%0ab                  | encoded control character
      /a%0D%0AX-Injected:1    | encoded control character
      /a%7F                   | encoded control character
      /admin;x/               | ';' path parameters are not accepted
      /a;jsessionid=1         | ';' path parameters are not accepted
      /a%3Bb                  | encoded ';' (%3B)
      /a%3bb                  | encoded ';' (%3B)
      /a%252Fb                | encoded '%' (%25) in path: double encoding
      /a%25                   | encoded '%' (%25) in path: double encoding
      /a%zz                   | invalid percent-escape
      /a%4g                   | invalid percent-escape
      /a%4                    | incomplete percent-escape
      /a%                     | incomplete percent-escape
      /%C3%28                 | not valid UTF-8
      /%C0%AF                 | not valid UTF-8
      /%E0%80%AF              | not valid UTF-8
      /%ED%A0%80              | not valid UTF-8
      /%FF                    | not valid UTF-8
      /%C3                    | not valid UTF-8
      /café                   | non-ASCII character in path
      /a b                    | control, space or non-ASCII
      /a#b                    | fragment in request target
      """)
  void refusesAmbiguousOrInvalidPath(String raw, String detail) {
    assertThatThrownBy(() -> PathNormalizer.normalize(raw))
        .isInstanceOfSatisfying(Reason.Rejection.class, r -> {
          assertThat(r.reason()).isEqualTo(Reason.PATH_REJECTED);
          assertThat(r.detail()).contains(detail);
        });
  }

  @Test
  void refusesRawControlCharacters() {
    for (String raw : new String[] {"/a\u0000b", "/a\tb", "/a\nb", "/a\u007fb", "/a\u0085b"}) {
      assertThatThrownBy(() -> PathNormalizer.normalize(raw))
          .as("%s", raw.replace("\n", "\\n"))
          .isInstanceOfSatisfying(Reason.Rejection.class,
              r -> assertThat(r.detail()).contains("control, space or non-ASCII character in path"));
    }
  }

  @Test
  void refusesPercentEscapesWithNonAsciiDigits() {
    // Character.digit accepts Arabic-Indic and full-width digits; "%\u0664\u0661" must not decode to 'A'.
    for (String raw : new String[] {"/%\u0664\u0661", "/%\uFF14\uFF11", "/%2\uFF26"}) {
      assertThatThrownBy(() -> PathNormalizer.normalize(raw))
          .as("%s", raw)
          .isInstanceOfSatisfying(Reason.Rejection.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.PATH_REJECTED);
            assertThat(r.detail()).isEqualTo("invalid percent-escape in path");
          });
    }
  }

  @Test
  void returnsTheSameStringForAnAlreadyCanonicalPath() {
    String raw = "/api/v1/users/42";

    PathNormalizer.CanonicalPath path = PathNormalizer.normalize(raw);

    assertThat(path.decoded()).isSameAs(raw);
    assertThat(path.encoded()).isSameAs(raw);
  }

  /** Strict one-pass RFC 3986 percent-decoding ('+' is not a space in paths), UTF-8, independent of the class under test. */
  static String percentDecode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        assertThat(c).as("encoded path holds only ASCII").isLessThan((char) 128);
        bytes.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("encoded path is not UTF-8: " + s, e);
    }
  }
}

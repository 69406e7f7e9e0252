package dev.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPatternTest {

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # text                | kind   | value               | toString
      *                     | ANY    | *                   | *
      app.example.com       | EXACT  | app.example.com     | app.example.com
      App.Example.COM       | EXACT  | app.example.com     | app.example.com
      ' app.example.com '   | EXACT  | app.example.com     | app.example.com
      app.example.com.      | EXACT  | app.example.com     | app.example.com
      127.0.0.1             | EXACT  | 127.0.0.1           | 127.0.0.1
      [::1]                 | EXACT  | [::1]               | [::1]
      *.example.com         | SUFFIX | .example.com        | *.example.com
      *.Example.COM         | SUFFIX | .example.com        | *.example.com
      *.example.com.        | SUFFIX | .example.com        | *.example.com
      """)
  void parsesHostPattern(String text, HostPattern.Kind kind, String value, String rendered) {
    HostPattern pattern = HostPattern.parse(text);

    assertThat(pattern.kind()).isEqualTo(kind);
    assertThat(pattern.value()).isEqualTo(value);
    assertThat(pattern.toString()).isEqualTo(rendered);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      a*.example.com      | 'a*.example.com' is not a host pattern (expected: a host name, '*.suffix' or '*')
      app.*.example.com   | 'app.*.example.com' is not a host pattern (expected: a host name, '*.suffix' or '*')
      *.*.example.com     | '*.*.example.com' is not a valid host name
      *.                  | '*.' is not a valid host name
      exa mple.com        | 'exa mple.com' is not a valid host name
      app.example.com:443 | 'app.example.com:443' is not a valid host name
      https://app.example.com | 'https://app.example.com' is not a valid host name
      ""                  | '' is not a valid host name
      """)
  void rejectsInvalidHostPattern(String text, String message) {
    assertThatThrownBy(() -> HostPattern.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}

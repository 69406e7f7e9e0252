package dev.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {

  @ParameterizedTest(name = "{0} has shape {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /                  | /
      /a/b               | /a/b
      /a/b/              | /a/b
      /a/{id}            | /a/{}
      /a/*               | /a/{}
      /a/{x}/c/**        | /a/{}/c/**
      /**                | /**
      /docs/**/          | /docs/**
      /Billing/Invoices  | /Billing/Invoices
      """)
  void parsesPatternIntoShape(String text, String shape) {
    PathPattern pattern = PathPattern.parse(text);

    assertThat(pattern.shape()).isEqualTo(shape);
    assertThat(pattern.toString()).isEqualTo(text);
  }

  @Test
  void namesVariablesInOrder() {
    assertThat(PathPattern.parse("/t/{tenant}/*/u/{user_id}/**").variableNames()).containsExactly("tenant", "user_id");
    assertThat(PathPattern.parse("/a/*").variableNames()).isEmpty();
  }

  @Test
  void readsVariableFromRequestSegments() {
    PathPattern pattern = PathPattern.parse("/t/{tenant}/*/u/{user}");
    String[] segments = {"t", "acme", "x", "u", "42"};

    assertThat(pattern.variable("tenant", segments)).isEqualTo("acme");
    assertThat(pattern.variable("user", segments)).isEqualTo("42");
    assertThat(pattern.variable("other", segments)).isNull();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      a/b        | 'a/b' must start with '/'
      ""         | '' must start with '/'
      /a//b      | '/a//b' has an empty segment ('//')
      /a//       | '/a//' has an empty segment ('//')
      //         | '//' has an empty segment ('//')
      /a/**/b    | '/a/**/b': '**' may only be the last segment
      /**/**     | '/**/**': '**' may only be the last segment
      /a{b}      | '/a{b}': segment 'a{b}' mixes text with '{', '}' or '*' (expected: a whole-segment {name}, * or **)
      /a/b*      | '/a/b*': segment 'b*' mixes text with '{', '}' or '*' (expected: a whole-segment {name}, * or **)
      /a/***     | '/a/***': segment '***' mixes text with '{', '}' or '*' (expected: a whole-segment {name}, * or **)
      /{a}x      | '/{a}x': segment '{a}x' mixes text with '{', '}' or '*' (expected: a whole-segment {name}, * or **)
      /{}        | '/{}': '{}' is not a valid variable (expected: {name})
      /{1x}      | '/{1x}': '{1x}' is not a valid variable (expected: {name})
      /{a-b}     | '/{a-b}': '{a-b}' is not a valid variable (expected: {name})
      /{a}/{a}   | '/{a}/{a}': variable {a} appears twice
      /a/..      | '/a/..' contains a dot segment
      /./a       | '/./a' contains a dot segment
      """)
  void rejectsInvalidPattern(String text, String message) {
    assertThatThrownBy(() -> PathPattern.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}

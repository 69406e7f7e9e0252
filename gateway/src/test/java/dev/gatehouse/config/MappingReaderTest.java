package dev.gatehouse.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MappingReaderTest {

  private final Problems problems = new Problems();

  private MappingReader reader(String yaml) {
    return reader(yaml, Function.identity());
  }

  private MappingReader reader(String yaml, Function<String, String> interpolation) {
    try {
      return MappingReader.of(YamlTreeReader.read(Path.of("m.yaml"), yaml.getBytes(UTF_8)), problems, interpolation);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private List<String> problems() {
    return problems.all().stream().map(ConfigProblem::toString).toList();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      500ms  | PT0.5S
      30s    | PT30S
      5m     | PT5M
      1h     | PT1H
      2d     | PT48H
      PT30S  | PT30S
      pt1m   | PT1M
      ' 10s '| PT10S
      """)
  void readsDuration(String text, Duration expected) {
    assertThat(reader("d: '" + text + "'").duration("d", null, Duration.ZERO, Duration.ofDays(7))).isEqualTo(expected);
    assertThat(problems()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      5 minutes               | m.yaml:1:4: /d: '5 minutes' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)
      5M                      | m.yaml:1:4: /d: '5M' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)
      -5s                     | m.yaml:1:4: /d: '-5s' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)
      8d                      | m.yaml:1:4: /d: 8d (expected: 0s..7d)
      PT-1S                   | m.yaml:1:4: /d: PT-1S (expected: 0s..7d)
      99999999999999999999s   | m.yaml:1:4: /d: '99999999999999999999s' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)
      999999999999999d        | m.yaml:1:4: /d: '999999999999999d' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)
      """)
  void reportsBadDuration(String text, String problem) {
    Duration d = reader("d: '" + text + "'").duration("d", Duration.ofSeconds(9), Duration.ZERO, Duration.ofDays(7));

    assertThat(d).isEqualTo(Duration.ofSeconds(9));
    assertThat(problems()).containsExactly(problem);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      123     | 123
      8KiB    | 8192
      8 kib   | 8192
      10MB    | 10000000
      1GiB    | 1073741824
      2gb     | 2000000000
      """)
  void readsSize(String text, long expected) {
    assertThat(reader("s: '" + text + "'").size("s", 0, 0, Long.MAX_VALUE)).isEqualTo(expected);
    assertThat(problems()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      lots                  | m.yaml:1:4: /s: 'lots' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)
      -1                    | m.yaml:1:4: /s: '-1' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)
      99999999999GiB        | m.yaml:1:4: /s: '99999999999GiB' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)
      99999999999999999999  | m.yaml:1:4: /s: '99999999999999999999' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)
      2MiB                  | m.yaml:1:4: /s: 2MiB (expected: 1..1048576 bytes)
      """)
  void reportsBadSize(String text, String problem) {
    assertThat(reader("s: '" + text + "'").size("s", 7, 1, 1 << 20)).isEqualTo(7);
    assertThat(problems()).containsExactly(problem);
  }

  @Test
  void readsIntegersWithinRangeAndReportsOthers() {
    MappingReader m = reader("""
        a: 5
        b: 11
        c: '5'
        d: 1.5
        e: 99999999999999999999
        """);

    assertThat(m.integer("a", 0, 1, 10)).isEqualTo(5);
    assertThat(m.integer("b", 0, 1, 10)).isZero();
    assertThat(m.integer("c", 0, 1, 10)).isZero();
    assertThat(m.integer("d", 0, 1, 10)).isZero();
    assertThat(m.integer("e", 0, 1, 10)).isZero();
    assertThat(m.integer("absent", 3, 1, 10)).isEqualTo(3);
    assertThat(problems()).containsExactly(
        "m.yaml:2:4: /b: 11 (expected: 1..10)",
        "m.yaml:3:4: /c: expected an integer, found a string '5'",
        "m.yaml:4:4: /d: expected an integer, found a decimal number '1.5'",
        "m.yaml:5:4: /e: expected an integer, found an integer '99999999999999999999'");
  }

  @Test
  void readsStringsAndReportsNonStrings() {
    MappingReader m = reader("""
        plain: text
        number: 8080
        flag: true
        list: [a]
        blank: '  '
        nothing: ~
        """);

    assertThat(m.string("plain", null)).isEqualTo("text");
    assertThat(m.string("number", null)).isEqualTo("8080");
    assertThat(m.string("flag", "default")).isEqualTo("default");
    assertThat(m.string("list", "default")).isEqualTo("default");
    assertThat(m.requiredString("blank")).isNull();
    assertThat(m.requiredString("nothing")).isNull();
    assertThat(m.requiredString("absent")).isNull();
    assertThat(m.string("nothing", "default")).isEqualTo("default");
    assertThat(problems()).containsExactly(
        "m.yaml:1:1: missing required key 'nothing'",
        "m.yaml:1:1: missing required key 'absent'",
        "m.yaml:3:7: /flag: expected a string, found a boolean 'true'",
        "m.yaml:4:7: /list: expected a string, found a list",
        "m.yaml:5:8: /blank: must not be empty");
  }

  @Test
  void readsStringListFromListOrSingleString() {
    MappingReader m = reader("""
        one: a
        many: [a, b]
        mixed: [a, {b: c}, 3]
        """);

    assertThat(m.strings("one")).containsExactly("a");
    assertThat(m.strings("many")).containsExactly("a", "b");
    assertThat(m.strings("mixed")).containsExactly("a", "3");
    assertThat(m.strings("absent")).isEmpty();
    assertThat(problems()).containsExactly("m.yaml:3:12: /mixed/1: expected a string, found a mapping");
  }

  @Test
  void readsBooleans() {
    MappingReader m = reader("""
        yes: true
        no: false
        text: 'true'
        """);

    assertThat(m.bool("yes", false)).isTrue();
    assertThat(m.bool("no", true)).isFalse();
    assertThat(m.bool("text", false)).isFalse();
    assertThat(m.bool("absent", true)).isTrue();
    assertThat(problems()).containsExactly("m.yaml:3:7: /text: expected true or false, found a string 'true'");
  }

  @Test
  void reportsNonMappingWhereMappingIsExpected() {
    MappingReader m = reader("""
        section: text
        list: [1]
        empty: ~
        """);

    assertThat(m.mapping("section").has("x")).isFalse();
    assertThat(m.mappings("list")).singleElement().satisfies(r -> assertThat(r.entries()).isEmpty());
    assertThat(m.mapping("empty").entries()).isEmpty();
    assertThat(m.mapping("absent").entries()).isEmpty();
    assertThat(m.mappings("section")).isEmpty();
    assertThat(problems()).containsExactly(
        "m.yaml:1:10: /section: expected a mapping, found a string",
        "m.yaml:1:10: /section: expected a list, found a string 'text'",
        "m.yaml:2:8: /list/0: expected a mapping, found an integer");
  }

  @Test
  void reportsEveryUnknownKeyListingTheKnownOnes() {
    MappingReader m = reader("""
        name: x
        nmae: y
        port: 1
        prot: 2
        """);
    m.string("name", null);
    m.integer("port", 0, 0, 10);
    m.has("host");

    m.finish();

    assertThat(problems()).containsExactly(
        "m.yaml:2:1: /nmae: unknown key 'nmae' (expected one of: name, port, host)",
        "m.yaml:4:1: /prot: unknown key 'prot' (expected one of: name, port, host)");
  }

  @Test
  void treatsNullValueAsAbsent() {
    MappingReader m = reader("a: ~\n");

    assertThat(m.has("a")).isFalse();
    assertThat(m.get("a")).isPresent();
    m.finish();
    assertThat(problems()).isEmpty();
  }

  @Test
  void reportsInterpolationFailureAtTheValue() {
    MappingReader m = reader("a: ok\nb: '${X}'\n", text -> {
      if (text.contains("${")) {
        throw new IllegalArgumentException("environment variable X is not set");
      }
      return text.toUpperCase();
    });

    assertThat(m.string("a", null)).isEqualTo("OK");
    assertThat(m.string("b", "fallback")).isEqualTo("fallback");
    assertThat(problems()).containsExactly("m.yaml:2:4: /b: environment variable X is not set");
  }

  @Test
  void pointsAtKeyAndRendersPointer() {
    MappingReader m = reader("""
        outer:
          a/b: 1
        """).mapping("outer");

    assertThat(m.keyPosition("a/b")).isEqualTo(new YamlNode.Position(Path.of("m.yaml"), 2, 3));
    assertThat(m.keyPosition("absent")).isEqualTo(m.node().at());
    assertThat(m.pointerOf("a/b")).isEqualTo("/outer/a~1b");
  }
}

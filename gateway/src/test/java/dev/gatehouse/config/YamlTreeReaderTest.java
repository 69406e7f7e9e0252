package dev.gatehouse.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlTreeReaderTest {

  private static final Path FILE = Path.of("conf/g.yaml");

  static YamlNode read(String yaml) throws ConfigException {
    return YamlTreeReader.read(FILE, yaml.getBytes(UTF_8));
  }

  static List<String> errors(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> read(yaml));
    assertThat(e).as("the YAML should have been refused").isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }

  static YamlNode child(YamlNode node, String key) {
    return ((YamlNode.Mapping) node).entries().get(key).value();
  }

  @Test
  void remembersPositionAndPointerOfEveryNode() throws Exception {
    YamlNode root = read("""
        # comment
        routes:
          - id: a
            path: /a
            hosts: [x, "y"]
        """);

    YamlNode.Mapping route = (YamlNode.Mapping) ((YamlNode.Sequence) child(root, "routes")).items().get(0);
    YamlNode.Sequence hosts = (YamlNode.Sequence) route.entries().get("hosts").value();

    assertThat(root.at()).isEqualTo(new YamlNode.Position(FILE, 2, 1));
    assertThat(root.pointer()).isEmpty();
    assertThat(route.at()).isEqualTo(new YamlNode.Position(FILE, 3, 5));
    assertThat(route.pointer()).isEqualTo("/routes/0");
    assertThat(route.entries().get("path").keyAt()).isEqualTo(new YamlNode.Position(FILE, 4, 5));
    assertThat(route.entries().get("path").value().at()).isEqualTo(new YamlNode.Position(FILE, 4, 11));
    assertThat(hosts.at()).isEqualTo(new YamlNode.Position(FILE, 5, 12));
    assertThat(hosts.items().get(1).at()).isEqualTo(new YamlNode.Position(FILE, 5, 16));
    assertThat(hosts.items().get(1).pointer()).isEqualTo("/routes/0/hosts/1");
    assertThat(route.entries().keySet()).containsExactly("id", "path", "hosts");
  }

  @Test
  void escapesPointerTokens() throws Exception {
    YamlNode root = read("""
        headers:
          a/b: 1
          c~d: 2
        """);

    assertThat(child(child(root, "headers"), "a/b").pointer()).isEqualTo("/headers/a~1b");
    assertThat(child(child(root, "headers"), "c~d").pointer()).isEqualTo("/headers/c~0d");
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = '|', nullValues = "(none)", textBlock = """
      'v: text'     | STRING  | text
      'v: "42"'     | STRING  | 42
      'v: 42'       | INTEGER | 42
      'v: -7'       | INTEGER | -7
      'v: 1.5'      | DECIMAL | 1.5
      'v: true'     | BOOLEAN | true
      'v: false'    | BOOLEAN | false
      'v: ~'        | NULL    | (none)
      'v: null'     | NULL    | (none)
      'v: 30s'      | STRING  | 30s
      """)
  void resolvesScalarTypes(String yaml, YamlNode.ScalarType type, String text) throws Exception {
    YamlNode.Scalar v = (YamlNode.Scalar) child(read(yaml), "v");

    assertThat(v.type()).isEqualTo(type);
    assertThat(v.text()).isEqualTo(text);
  }

  @Test
  void readsEmptyFileAsEmptyMapping() throws Exception {
    assertThat(read("")).isEqualTo(new YamlNode.Mapping(new YamlNode.Position(FILE, 1, 1), "", java.util.Map.of()));
    assertThat(read("# only a comment\n")).isInstanceOf(YamlNode.Mapping.class);
  }

  @Test
  void reportsEveryDuplicateKey() {
    assertThat(errors("""
        a: 1
        b:
          c: 1
          c: 2
        a: 3
        """)).containsExactly(
        "conf/g.yaml:4:3: /b/c: duplicate key 'c' (first defined at line 3)",
        "conf/g.yaml:5:1: /a: duplicate key 'a' (first defined at line 1)");
  }

  @Test
  void reportsMoreThanOneDocument() {
    assertThat(errors("""
        a: 1
        ---
        b: 2
        """)).containsExactly("conf/g.yaml:3:1: more than one YAML document in the file (expected: exactly one)");
  }

  @Test
  void reportsSyntaxErrorWithItsCause() {
    assertThat(errors("""
        a: b: c
        """)).containsExactly("conf/g.yaml:1:5: invalid YAML: mapping values are not allowed here");
  }

  @Test
  void reportsBadIndentationWhereItIs() {
    assertThat(errors("""
        routes:
          - id: a
           path: /a
        """)).containsExactly("conf/g.yaml:3:4: invalid YAML: while parsing a block collection: expected <block end>, "
        + "but found '<block mapping start>'");
  }

  @Test
  void reportsUnterminatedQuoteWhereTheFileEnds() {
    assertThat(errors("a: 'x\n")).containsExactly(
        "conf/g.yaml:2:1: invalid YAML: while scanning a quoted scalar: found unexpected end of stream");
  }
}

package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A YAML document as a tree in which every node remembers where it was written, so that a semantic error
 * found long after parsing (a duplicate route, an unknown permission) still points at the right line.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

  /** Where the node starts in its file. */
  Position at();

  /** JSON pointer from the document root, e.g. {@code /routes/2/path}. */
  String pointer();

  /** A human word for the node's type, used in "expected X, found Y" messages. */
  String kind();

  record Position(Path file, int line, int column) {
    public Position {
      Objects.requireNonNull(file, "file");
    }
  }

  /** A mapping keeps its keys in document order and the position of each key. */
  record Mapping(Position at, String pointer, Map<String, Entry> entries) implements YamlNode {
    public Mapping {
      entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public String kind() {
      return "a mapping";
    }
  }

  record Entry(Position keyAt, YamlNode value) {}

  record Sequence(Position at, String pointer, List<YamlNode> items) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    public String kind() {
      return "a list";
    }
  }

  /** A scalar keeps its text and what YAML resolved it to; {@code text} is null only for {@link ScalarType#NULL}. */
  record Scalar(Position at, String pointer, ScalarType type, String text) implements YamlNode {
    public String kind() {
      return switch (type) {
        case STRING -> "a string";
        case INTEGER -> "an integer";
        case DECIMAL -> "a decimal number";
        case BOOLEAN -> "a boolean";
        case NULL -> "null";
      };
    }
  }

  enum ScalarType { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }
}

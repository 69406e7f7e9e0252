package dev.gatehouse.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses YAML text into a {@link YamlNode} tree with positions, using Jackson's streaming YAML parser. Duplicate keys
 * are reported (YAML libraries usually let the last one win silently, which hides mistakes in policy files).
 */
public final class YamlTreeReader {

  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

  private YamlTreeReader() {}

  /**
   * Parses one document. An empty file yields an empty mapping at line 1.
   *
   * @throws ConfigException with the syntax error's location, or every duplicate key found
   */
  public static YamlNode read(Path file, byte[] content) throws ConfigException {
    List<ConfigProblem> problems = new ArrayList<>();
    String text = new String(content, StandardCharsets.UTF_8);
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new YamlNode.Mapping(new YamlNode.Position(file, 1, 1), "", Map.of());
      }
      YamlNode root = readValue(parser, file, "", problems);
      if (parser.nextToken() != null) {
        JsonLocation loc = parser.currentTokenLocation();
        problems.add(new ConfigProblem(file, loc.getLineNr(), loc.getColumnNr(), "",
            "more than one YAML document in the file (expected: exactly one)"));
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      int line = loc == null ? 1 : Math.max(1, loc.getLineNr());
      int column = loc == null ? 1 : Math.max(1, loc.getColumnNr());
      String message = firstLine(e.getOriginalMessage());
      // Jackson's message keeps only SnakeYAML's first line, often just the context ("while parsing a flow
      // sequence"), and its location may be the context's; SnakeYAML's problem and problem mark say what and where.
      if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null && yaml.getProblemMark() != null) {
        line = yaml.getProblemMark().getLine() + 1;
        column = yaml.getProblemMark().getColumn() + 1;
        message = yaml.getContext() == null ? firstLine(yaml.getProblem())
            : yaml.getContext() + ": " + firstLine(yaml.getProblem());
      }
      throw new ConfigException(List.of(new ConfigProblem(file, line, column, "", "invalid YAML: " + message)));
    } catch (IOException e) {
      throw new ConfigException(List.of(new ConfigProblem(file, 1, 1, "", "cannot parse: " + e.getMessage())));
    }
  }

  private static YamlNode readValue(JsonParser parser, Path file, String pointer, List<ConfigProblem> problems) throws IOException {
    JsonToken token = parser.currentToken();
    YamlNode.Position at = position(parser, file);
    switch (token) {
      case START_OBJECT: {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          YamlNode.Position keyAt = position(parser, file);
          String childPointer = pointer + "/" + escapePointer(key);
          parser.nextToken();
          YamlNode value = readValue(parser, file, childPointer, problems);
          if (entries.containsKey(key)) {
            YamlNode.Position first = entries.get(key).keyAt();
            problems.add(new ConfigProblem(file, keyAt.line(), keyAt.column(), childPointer,
                "duplicate key '" + key + "' (first defined at line " + first.line() + ")"));
          } else {
            entries.put(key, new YamlNode.Entry(keyAt, value));
          }
        }
        return new YamlNode.Mapping(at, pointer, entries);
      }
      case START_ARRAY: {
        List<YamlNode> items = new ArrayList<>();
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(readValue(parser, file, pointer + "/" + index++, problems));
        }
        return new YamlNode.Sequence(at, pointer, items);
      }
      case VALUE_STRING:
        return new YamlNode.Scalar(at, pointer, YamlNode.ScalarType.STRING, parser.getText());
      case VALUE_NUMBER_INT:
        return new YamlNode.Scalar(at, pointer, YamlNode.ScalarType.INTEGER, parser.getText());
      case VALUE_NUMBER_FLOAT:
        return new YamlNode.Scalar(at, pointer, YamlNode.ScalarType.DECIMAL, parser.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new YamlNode.Scalar(at, pointer, YamlNode.ScalarType.BOOLEAN, parser.getText());
      case VALUE_NULL:
        return new YamlNode.Scalar(at, pointer, YamlNode.ScalarType.NULL, null);
      default:
        // Binary and embedded objects (e.g. !!binary) have no meaning in our files.
        return new YamlNode.Scalar(at, pointer, YamlNode.ScalarType.STRING, parser.getText());
    }
  }

  private static YamlNode.Position position(JsonParser parser, Path file) {
    JsonLocation loc = parser.currentTokenLocation();
    return new YamlNode.Position(file, Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()));
  }

  private static String escapePointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

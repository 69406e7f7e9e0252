package dev.gatehouse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed, validating access to one YAML mapping. Every accessor records the key as known; {@link #finish()} then
 * reports every key nobody asked for, so that a typo ({@code audiance:}) is an error instead of a silent default.
 * Wrong types and out-of-range values are added to the shared {@link Problems} and a safe default is returned, so
 * validation continues and one run reports every mistake.
 */
public final class MappingReader {

  private final YamlNode node;
  private final Map<String, YamlNode.Entry> entries;
  private final Problems problems;
  private final Function<String, String> interpolation;
  private final Set<String> known = new LinkedHashSet<>();

  private MappingReader(YamlNode node, Map<String, YamlNode.Entry> entries, Problems problems,
      Function<String, String> interpolation) {
    this.node = node;
    this.entries = entries;
    this.problems = problems;
    this.interpolation = interpolation;
  }

  /** A reader over {@code node}; if it is not a mapping, that is reported and the reader behaves as empty. */
  public static MappingReader of(YamlNode node, Problems problems) {
    return of(node, problems, Function.identity());
  }

  /**
   * As {@link #of(YamlNode, Problems)}, with every string value passed through {@code interpolation} (used by the
   * gateway configuration for {@code ${ENV}} references; policy files take values literally).
   */
  public static MappingReader of(YamlNode node, Problems problems, Function<String, String> interpolation) {
    if (node instanceof YamlNode.Mapping m) {
      return new MappingReader(node, m.entries(), problems, interpolation);
    }
    if (!isAbsent(node)) {
      problems.add(node, "expected a mapping, found " + node.kind());
    }
    return new MappingReader(node, Map.of(), problems, interpolation);
  }

  public YamlNode node() {
    return node;
  }

  public Problems problems() {
    return problems;
  }

  public boolean has(String key) {
    known.add(key);
    YamlNode.Entry e = entries.get(key);
    return e != null && !(e.value() instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.NULL);
  }

  /** The raw node under {@code key}, marking the key known. */
  public Optional<YamlNode> get(String key) {
    known.add(key);
    YamlNode.Entry e = entries.get(key);
    return e == null ? Optional.empty() : Optional.of(e.value());
  }

  public String string(String key, String defaultValue) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return defaultValue;
    }
    return scalarText(value.get(), defaultValue);
  }

  public String requiredString(String key) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      missing(key);
      return null;
    }
    String text = scalarText(value.get(), null);
    if (text != null && text.isBlank()) {
      problems.add(value.get(), "must not be empty");
      return null;
    }
    return text;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return defaultValue;
    }
    YamlNode v = value.get();
    if (v instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.INTEGER) {
      try {
        long n = Long.parseLong(s.text());
        if (n < min || n > max) {
          problems.add(v, n + " (expected: " + min + ".." + max + ")");
          return defaultValue;
        }
        return (int) n;
      } catch (NumberFormatException e) {
        // falls through to the type error below
      }
    }
    problems.add(v, "expected an integer, found " + describe(v));
    return defaultValue;
  }

  public boolean bool(String key, boolean defaultValue) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return defaultValue;
    }
    if (value.get() instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.BOOLEAN) {
      return Boolean.parseBoolean(s.text());
    }
    problems.add(value.get(), "expected true or false, found " + describe(value.get()));
    return defaultValue;
  }

  public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return defaultValue;
    }
    String text = scalarText(value.get(), null);
    if (text == null) {
      return defaultValue;
    }
    Duration d = Quantities.parseDuration(text);
    if (d == null) {
      problems.add(value.get(), "'" + text + "' is not a duration (expected: e.g. 500ms, 30s, 5m, 1h or PT30S)");
      return defaultValue;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.add(value.get(), text + " (expected: " + Quantities.format(min) + ".." + Quantities.format(max) + ")");
      return defaultValue;
    }
    return d;
  }

  public long size(String key, long defaultValue, long min, long max) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return defaultValue;
    }
    String text = scalarText(value.get(), null);
    if (text == null) {
      return defaultValue;
    }
    long n;
    try {
      n = Quantities.parseSize(text);
    } catch (ArithmeticException e) {
      n = -1;
    }
    if (n < 0) {
      problems.add(value.get(), "'" + text + "' is not a size (expected: e.g. 8KiB, 10MB, 1GiB or a byte count)");
      return defaultValue;
    }
    if (n < min || n > max) {
      problems.add(value.get(), text + " (expected: " + min + ".." + max + " bytes)");
      return defaultValue;
    }
    return n;
  }

  /**
   * A secret: {@code file:/path} reads the file (one trailing newline dropped), {@code ${VAR}} reads the environment;
   * an inline value is accepted only when {@code allowInline}. Absent: null.
   */
  public Secret secret(String key, boolean allowInline) {
    Optional<YamlNode> node = get(key);
    if (node.isEmpty() || isNull(node.get())) {
      return null;
    }
    String raw = node.get() instanceof YamlNode.Scalar s ? s.text() : null;
    String value = scalarText(node.get(), null);
    if (value == null) {
      return null;
    }
    if (value.startsWith("file:")) {
      java.nio.file.Path file = java.nio.file.Path.of(value.substring("file:".length()));
      try {
        String content = java.nio.file.Files.readString(file);
        if (content.endsWith("\n")) {
          content = content.substring(0, content.length() - (content.endsWith("\r\n") ? 2 : 1));
        }
        return new Secret(content, "file " + file);
      } catch (java.io.IOException e) {
        problems.add(node.get(), "cannot read the secret file " + file + " (" + e.getClass().getSimpleName() + ")");
        return null;
      }
    }
    boolean fromEnvironment = raw != null && raw.contains("${");
    if (!fromEnvironment && !allowInline) {
      problems.add(node.get(), "a secret must not be written inline (expected: ${ENV_VAR} or file:/path)");
      return null;
    }
    return new Secret(value, fromEnvironment ? "environment" : "inline");
  }

  /** A list of strings; a single string is accepted as a list of one. Absent: empty list. */
  public List<String> strings(String key) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return List.of();
    }
    return stringList(value.get());
  }

  /**
   * The string items under {@code key} with their own nodes (a single string counts as one item), so that an error
   * about one item can point at that item. Non-string items are reported.
   */
  public List<Map.Entry<String, YamlNode>> stringItems(String key) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return List.of();
    }
    List<YamlNode> nodes = value.get() instanceof YamlNode.Sequence seq ? seq.items() : List.of(value.get());
    List<Map.Entry<String, YamlNode>> out = new ArrayList<>();
    for (YamlNode item : nodes) {
      String text = scalarText(item, null);
      if (text != null) {
        out.add(Map.entry(text, item));
      }
    }
    return out;
  }

  /** A nested mapping; absent gives an empty reader (so defaults apply). */
  public MappingReader mapping(String key) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty()) {
      return new MappingReader(node, Map.of(), problems, interpolation);
    }
    return of(value.get(), problems, interpolation);
  }

  /** A list of mappings; absent gives an empty list. */
  public List<MappingReader> mappings(String key) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty() || isNull(value.get())) {
      return List.of();
    }
    if (!(value.get() instanceof YamlNode.Sequence seq)) {
      problems.add(value.get(), "expected a list, found " + describe(value.get()));
      return List.of();
    }
    List<MappingReader> readers = new ArrayList<>();
    for (YamlNode item : seq.items()) {
      readers.add(of(item, problems, interpolation));
    }
    return readers;
  }

  /** Every entry of this mapping as (key, reader-of-value) pairs, marking all keys known. */
  public List<Map.Entry<String, YamlNode>> entries() {
    known.addAll(entries.keySet());
    List<Map.Entry<String, YamlNode>> list = new ArrayList<>();
    for (Map.Entry<String, YamlNode.Entry> e : entries.entrySet()) {
      list.add(Map.entry(e.getKey(), e.getValue().value()));
    }
    return list;
  }

  /** Where {@code key} is written, or the mapping itself when absent. */
  public YamlNode.Position keyPosition(String key) {
    YamlNode.Entry e = entries.get(key);
    return e == null ? node.at() : e.keyAt();
  }

  public String pointerOf(String key) {
    return node.pointer() + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  /** Reports every key that no accessor asked for. Call once, after reading all keys. */
  public void finish() {
    for (Map.Entry<String, YamlNode.Entry> e : entries.entrySet()) {
      if (!known.contains(e.getKey())) {
        problems.add(e.getValue().keyAt(), pointerOf(e.getKey()),
            "unknown key '" + e.getKey() + "' (expected one of: " + String.join(", ", known) + ")");
      }
    }
  }

  public void missing(String key) {
    problems.add(node.at(), node.pointer(), "missing required key '" + key + "'");
  }

  /** A list of strings from any node: a string, or a list of strings. */
  public List<String> stringList(YamlNode value) {
    if (value instanceof YamlNode.Sequence seq) {
      List<String> out = new ArrayList<>();
      for (YamlNode item : seq.items()) {
        String text = scalarText(item, null);
        if (text != null) {
          out.add(text);
        }
      }
      return List.copyOf(out);
    }
    String single = scalarText(value, null);
    return single == null ? List.of() : List.of(single);
  }

  /** The text of a string-like scalar (numbers are accepted as their text); anything else is reported. */
  public String scalarText(YamlNode value, String defaultValue) {
    if (value instanceof YamlNode.Scalar s && s.type() != YamlNode.ScalarType.NULL && s.type() != YamlNode.ScalarType.BOOLEAN) {
      try {
        return interpolation.apply(s.text());
      } catch (IllegalArgumentException e) {
        problems.add(value, e.getMessage());
        return defaultValue;
      }
    }
    problems.add(value, "expected a string, found " + describe(value));
    return defaultValue;
  }

  /** A key written with no value ({@code tls:}) reads as null or as an empty string, depending on the parser. */
  private static boolean isAbsent(YamlNode node) {
    return node instanceof YamlNode.Scalar s
        && (s.type() == YamlNode.ScalarType.NULL || (s.type() == YamlNode.ScalarType.STRING && s.text().isEmpty()));
  }

  private static boolean isNull(YamlNode node) {
    return node instanceof YamlNode.Scalar s && s.type() == YamlNode.ScalarType.NULL;
  }

  private static String describe(YamlNode node) {
    if (node instanceof YamlNode.Scalar s && s.type() != YamlNode.ScalarType.NULL) {
      return node.kind() + " '" + s.text() + "'";
    }
    return node.kind();
  }
}

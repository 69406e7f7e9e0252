package dev.gatehouse.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One mistake in a configuration or policy file, located precisely enough that an operator can jump to it.
 * Rendered as {@code file:line:column: /json/pointer: message}.
 */
public record ConfigProblem(Path file, int line, int column, String pointer, String message) {

  public ConfigProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    String where = file + ":" + line + ":" + column + ": ";
    return pointer.isEmpty() ? where + message : where + pointer + ": " + message;
  }
}

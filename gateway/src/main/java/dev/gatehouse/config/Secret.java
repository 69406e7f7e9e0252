package dev.gatehouse.config;

import java.util.Objects;

/**
 * A secret configuration value (a passphrase, a key): resolved at load time from {@code ${ENV_VAR}} or
 * {@code file:/run/secrets/...}, and never printed — {@link #toString()} hides it.
 */
public final class Secret {

  private final String value;
  private final String source;

  public Secret(String value, String source) {
    this.value = Objects.requireNonNull(value, "value");
    this.source = Objects.requireNonNull(source, "source");
  }

  public String reveal() {
    return value;
  }

  public char[] chars() {
    return value.toCharArray();
  }

  /** Where the secret came from (an environment variable, a file, or inline), for messages. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "(secret from " + source + ")";
  }
}

package dev.gatehouse.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human forms of durations ({@code 30s}, {@code 5m}, {@code PT1H}) and sizes ({@code 64KiB}, {@code 10MB}). */
public final class Quantities {

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);

  private Quantities() {}

  /** Returns the duration, or null when the text is not one. */
  public static Duration parseDuration(String text) {
    Matcher m = SIMPLE_DURATION.matcher(text.trim());
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        return null; // too many digits for a long, or too long for a Duration
      }
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Returns the size in bytes, or -1 when the text is not one. */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return -1; // too many digits for a long
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    long factor = switch (unit) {
      case "KB" -> 1_000L;
      case "KIB" -> 1L << 10;
      case "MB" -> 1_000_000L;
      case "MIB" -> 1L << 20;
      case "GB" -> 1_000_000_000L;
      case "GIB" -> 1L << 30;
      default -> 1L;
    };
    return Math.multiplyExact(n, factor);
  }

  /** Formats a duration the way configuration files write it, e.g. {@code 30s}. */
  public static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 86400 == 0 && s > 0) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}

package dev.gatehouse.audit;

import java.util.List;
import java.util.Locale;

/**
 * Hides the values of secret-looking query parameters before they are logged: a parameter whose name contains one
 * of the configured words ({@code token}, {@code code}, {@code password}, ...) keeps its name and loses its value.
 */
public final class QueryRedactor {

  public static final String REDACTED = "[REDACTED]";

  private final List<String> words;

  public QueryRedactor(List<String> words) {
    this.words = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
  }

  /** The query with secret values replaced, or null for null. */
  public String redact(String query) {
    if (query == null || query.isEmpty()) {
      return query;
    }
    StringBuilder out = new StringBuilder(query.length());
    int start = 0;
    while (start <= query.length()) {
      int amp = query.indexOf('&', start);
      int end = amp < 0 ? query.length() : amp;
      String pair = query.substring(start, end);
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (start > 0) {
        out.append('&'); // every pair but the first follows an '&', even when earlier pairs are empty
      }
      if (eq >= 0 && isSecret(name)) {
        out.append(name).append('=').append(REDACTED);
      } else {
        out.append(pair);
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return out.toString();
  }

  boolean isSecret(String rawName) {
    String name = decodeLoosely(rawName).toLowerCase(Locale.ROOT);
    for (String w : words) {
      if (name.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** Decodes percent-escapes and '+' so that {@code %74oken} is recognised as {@code token}; invalid escapes stay. */
  private static String decodeLoosely(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        sb.append(c == '+' ? ' ' : c);
      }
    }
    return sb.toString();
  }
}

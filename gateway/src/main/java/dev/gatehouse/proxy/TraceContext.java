package dev.gatehouse.proxy;

import io.vertx.core.MultiMap;
import java.util.List;

/**
 * The W3C Trace Context (https://www.w3.org/TR/trace-context/) of one request as the gateway passes it on. A valid
 * incoming {@code traceparent} keeps its trace id and sampled flag (the other flags are reserved, section 3.2.2.5)
 * and gets the gateway's own span as the new parent; a missing or invalid one is replaced by a new trace whose id is
 * the request id, so the app's logs, the access event and the response's {@code X-Request-Id} line up.
 * {@code tracestate} travels only with a valid {@code traceparent} (section 3.3: without one it must not be parsed).
 *
 * @param traceId 32 lower-case hex digits, never all zeros
 * @param spanId the gateway's span: the {@code parent-id} the app sees
 * @param flags {@code 01} (sampled) or {@code 00}; a new trace is sampled, because its access event is recorded
 * @param tracestate the client's {@code tracestate}, or null
 * @param continued whether the trace came from the client
 */
record TraceContext(String traceId, String spanId, String flags, String tracestate, boolean continued) {

  /** Longer tracestate values are dropped rather than cut (the spec allows 32 entries of up to 256 characters each). */
  static final int MAX_TRACESTATE = 8192;

  /** The context for a request with these headers and this request id (32 hex digits, never all zeros). */
  static TraceContext of(MultiMap headers, String requestId) {
    List<String> parents = headers.getAll(HeaderNames.TRACEPARENT);
    String parent = parents.size() == 1 ? parents.get(0).trim() : null;
    if (parent != null && isValid(parent)) {
      String tracestate = tracestate(headers.getAll(HeaderNames.TRACESTATE));
      return new TraceContext(parent.substring(3, 35), RequestIds.nextSpan(), sampledOnly(parent.substring(53, 55)),
          tracestate, true);
    }
    return new TraceContext(requestId, RequestIds.nextSpan(), "01", null, false);
  }

  /** {@code traceparent} for the app: always version 00. */
  String traceparent() {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  /**
   * Section 3.2: {@code version "-" trace-id "-" parent-id "-" trace-flags}, lower-case hex only, version ff invalid,
   * trace-id and parent-id not all zeros; version 00 is exactly 55 characters, later versions may append
   * {@code "-" ...}, which a version-00 parser ignores.
   */
  static boolean isValid(String value) {
    if (value.length() < 55 || !hex(value, 0, 2) || value.startsWith("ff")) {
      return false;
    }
    if (value.startsWith("00") ? value.length() != 55 : value.length() > 55 && value.charAt(55) != '-') {
      return false;
    }
    return value.charAt(2) == '-' && value.charAt(35) == '-' && value.charAt(52) == '-'
        && hex(value, 3, 35) && !zeros(value, 3, 35)
        && hex(value, 36, 52) && !zeros(value, 36, 52)
        && hex(value, 53, 55);
  }

  private static String tracestate(List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    // several tracestate headers are one list (RFC 9110 section 5.3)
    String joined = String.join(",", values).trim();
    if (joined.isEmpty() || joined.length() > MAX_TRACESTATE) {
      return null;
    }
    for (int i = 0; i < joined.length(); i++) {
      char c = joined.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
    }
    return joined;
  }

  private static String sampledOnly(String flags) {
    return (Integer.parseInt(flags, 16) & 1) == 1 ? "01" : "00";
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}

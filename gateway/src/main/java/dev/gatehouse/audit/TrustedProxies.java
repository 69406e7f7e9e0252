package dev.gatehouse.audit;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the client address that a trusted front proxy (a load balancer in front of the gateway) reports, for the
 * access log's {@code forwarded_for} field and nothing else: no decision ever uses it. A peer is trusted only when
 * its address is in one of the configured ranges; loopback is not special.
 *
 * <p>The address is taken from {@code Forwarded} (RFC 7239) if present, else {@code X-Forwarded-For}: walking the
 * hops from the right (the nearest), trusted proxies are skipped and the first other hop is the client. Anything
 * that is not an IP address literal gives no address, because a client can write anything left of its own hop.
 */
public final class TrustedProxies {

  private static final int MAX_HOPS = 64;

  private final List<AddressRange> ranges;

  public TrustedProxies(List<AddressRange> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /**
   * The client address reported by a trusted peer, or null.
   *
   * @param peer the TCP peer's address
   * @param forwarded every {@code Forwarded} header value, in order
   * @param xForwardedFor every {@code X-Forwarded-For} header value, in order
   */
  public String clientAddress(String peer, List<String> forwarded, List<String> xForwardedFor) {
    if (ranges.isEmpty() || peer == null || !trusted(AddressRange.parseAddress(peer))) {
      return null;
    }
    List<String> hops = forwarded.isEmpty() ? xForwardedForHops(xForwardedFor) : forwardedHops(forwarded);
    byte[] leftmost = null;
    for (int i = hops.size() - 1; i >= 0 && i >= hops.size() - MAX_HOPS; i--) {
      byte[] address = AddressRange.parseAddress(stripPort(hops.get(i)));
      if (address == null) {
        return null;
      }
      if (!trusted(address)) {
        return NetUtil.bytesToIpAddress(address);
      }
      leftmost = address;
    }
    // every hop is a trusted proxy: the leftmost one is where the request came from
    return leftmost == null ? null : NetUtil.bytesToIpAddress(leftmost);
  }

  private boolean trusted(byte[] address) {
    for (AddressRange r : ranges) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> xForwardedForHops(List<String> values) {
    List<String> hops = new ArrayList<>();
    for (String value : values) {
      for (String hop : value.split(",")) {
        hops.add(hop.trim());
      }
    }
    return hops;
  }

  /** The {@code for} parameter of every element, in order; an element without one counts as an unknown hop. */
  private static List<String> forwardedHops(List<String> values) {
    List<String> hops = new ArrayList<>();
    for (String value : values) {
      for (String element : splitOutsideQuotes(value, ',')) {
        String hop = "";
        for (String pair : splitOutsideQuotes(element, ';')) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
            hop = unquote(pair.substring(eq + 1).trim());
          }
        }
        hops.add(hop);
      }
    }
    return hops;
  }

  private static List<String> splitOutsideQuotes(String s, char separator) {
    List<String> parts = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted) {
        i++;
      } else if (c == separator && !quoted) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  /** {@code 192.0.2.1:4711} and {@code [2001:db8::1]:4711} lose the port; a bare IPv6 address has several colons. */
  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close < 0 ? hop : hop.substring(0, close + 1);
    }
    int colon = hop.indexOf(':');
    return colon >= 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
  }
}

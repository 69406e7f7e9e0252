package dev.gatehouse.request;

import io.netty.util.NetUtil;

/**
 * The key a client address is rate-limited under: an IPv4 address as it is, an IPv6 address as its /64 network,
 * because one IPv6 host usually holds a whole /64 and could otherwise take a fresh address for every request. The
 * address is always the TCP peer (or the PROXY protocol source, when that is configured), never a header.
 */
public final class ClientAddress {

  private ClientAddress() {}

  /** The rate-limit key of {@code hostAddress} (a textual IPv4 or IPv6 address); null stays null. */
  public static String key(String hostAddress) {
    if (hostAddress == null || hostAddress.indexOf(':') < 0) {
      return hostAddress;
    }
    String literal = hostAddress;
    int zone = literal.indexOf('%');
    if (zone >= 0) {
      literal = literal.substring(0, zone);
    }
    // pure parsing, never a name lookup
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
    if (bytes == null || bytes.length != 16) {
      return hostAddress;
    }
    if (isIpv4Mapped(bytes)) {
      return (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "." + (bytes[15] & 0xff);
    }
    StringBuilder sb = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      sb.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
    }
    return sb.append(":/64").toString();
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }
}

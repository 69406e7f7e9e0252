package dev.gatehouse.audit;

import io.netty.util.NetUtil;
import java.util.Arrays;

/** An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address is a /32 or /128. */
public final class AddressRange {

  private final byte[] network;
  private final int prefix;
  private final String text;

  private AddressRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** @throws IllegalArgumentException when {@code cidr} is not an address or network */
  public static AddressRange parse(String cidr) {
    String s = cidr.trim();
    int slash = s.indexOf('/');
    byte[] address = parseAddress(slash < 0 ? s : s.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("'" + cidr + "' is not an address range (expected: e.g. 10.0.0.0/8, "
          + "192.168.1.10 or 2001:db8::/32)");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("'" + cidr + "' has an invalid prefix length (expected: 0.." + bits + ")");
      }
      prefix = Integer.parseInt(p);
    }
    byte[] network = mask(address, prefix);
    if (!Arrays.equals(network, address)) {
      throw new IllegalArgumentException("'" + cidr + "' has host bits set (did you mean "
          + NetUtil.bytesToIpAddress(network) + "/" + prefix + "?)");
    }
    return new AddressRange(network, prefix, NetUtil.bytesToIpAddress(network) + "/" + prefix);
  }

  /**
   * The bytes of an IP address literal (IPv4-mapped IPv6 addresses become IPv4), or null for anything else. Never
   * resolves a name.
   */
  static byte[] parseAddress(String text) {
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.isEmpty() || s.indexOf('%') >= 0) {
      return null;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
    if (bytes == null) {
      return null;
    }
    if (bytes.length == 16 && isIpv4Mapped(bytes)) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes;
  }

  public boolean contains(byte[] address) {
    return address != null && address.length == network.length && Arrays.equals(mask(address, prefix), network);
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressRange r && r.prefix == prefix && Arrays.equals(r.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    return text;
  }
}

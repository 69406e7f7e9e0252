package dev.gatehouse.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientAddressTest {

  @ParameterizedTest
  @CsvSource({
      "198.51.100.23, 198.51.100.23",
      "2001:db8:85a3:1:8a2e:370:7334:1, 2001:db8:85a3:1::/64",
      "2001:db8:85a3:1:ffff:ffff:ffff:ffff, 2001:db8:85a3:1::/64",
      "2001:0db8:85a3:0001:0000:0000:0000:0001, 2001:db8:85a3:1::/64",
      "2001:db8::1, 2001:db8:0:0::/64",
      "0:0:0:0:0:0:0:1, 0:0:0:0::/64",
      "fe80::1%eth0, fe80:0:0:0::/64",
      "::ffff:198.51.100.23, 198.51.100.23",
      "not-an-address, not-an-address"})
  void ipv6AddressesAreLimitedByTheirSlash64(String address, String key) {
    assertThat(ClientAddress.key(address)).isEqualTo(key);
  }
}

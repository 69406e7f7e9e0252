package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrustedProxiesTest {

  final TrustedProxies proxies = new TrustedProxies(List.of(AddressRange.parse("10.0.0.0/8"),
      AddressRange.parse("2001:db8::/32")));

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "203.0.113.7                          | 203.0.113.7",
      "203.0.113.7, 10.1.1.1                | 203.0.113.7",
      "198.51.100.1, 203.0.113.7, 10.1.1.1  | 203.0.113.7",
      "203.0.113.7:4711                     | 203.0.113.7",
      "[2001:db9::1]:4711                   | 2001:db9::1",
      "2001:db9::1                          | 2001:db9::1",
      "::ffff:203.0.113.7                   | 203.0.113.7",
      "10.2.2.2, 10.1.1.1                   | 10.2.2.2",
      "spoofed, 203.0.113.7                 | 203.0.113.7",
      "203.0.113.7, unknown                 | -",
      "example.com                          | -",
  })
  void theRightmostHopThatIsNotATrustedProxyIsTheClient(String xForwardedFor, String expected) {
    assertThat(proxies.clientAddress("10.9.9.9", List.of(), List.of(xForwardedFor))).isEqualTo(expected);
  }

  @Test
  void forwardedIsPreferredAndItsQuotedValuesAreRead() {
    assertThat(proxies.clientAddress("10.9.9.9",
        List.of("for=198.51.100.1;proto=https, for=\"[2001:db9::17]:4711\";by=10.0.0.1"), List.of("192.0.2.1")))
        .isEqualTo("2001:db9::17");
    assertThat(proxies.clientAddress("10.9.9.9", List.of("For=\"203.0.113.9:80\""), List.of())).isEqualTo("203.0.113.9");
    assertThat(proxies.clientAddress("10.9.9.9", List.of("for=_hidden"), List.of())).isNull();
    assertThat(proxies.clientAddress("10.9.9.9", List.of("proto=https"), List.of())).isNull();
  }

  @Test
  void headersFromAPeerThatIsNotTrustedAreIgnored() {
    assertThat(proxies.clientAddress("203.0.113.50", List.of(), List.of("198.51.100.1"))).isNull();
  }

  @Test
  void loopbackIsTrustedOnlyWhenConfigured() {
    assertThat(proxies.clientAddress("127.0.0.1", List.of(), List.of("198.51.100.1"))).isNull();
    TrustedProxies loopback = new TrustedProxies(List.of(AddressRange.parse("127.0.0.1")));
    assertThat(loopback.clientAddress("127.0.0.1", List.of(), List.of("198.51.100.1"))).isEqualTo("198.51.100.1");
  }

  @Test
  void noProxiesNoAddress() {
    assertThat(new TrustedProxies(List.of()).clientAddress("10.0.0.1", List.of(), List.of("1.2.3.4"))).isNull();
  }

  @Test
  void rangesAreValidated() {
    assertThat(AddressRange.parse("192.168.1.10")).hasToString("192.168.1.10/32");
    assertThat(AddressRange.parse("2001:DB8::/32")).hasToString("2001:db8::/32");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.1/8")).hasMessage("'10.0.0.1/8' has host bits set (did you "
        + "mean 10.0.0.0/8?)");
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessage("'10.0.0.0/33' has an invalid prefix "
        + "length (expected: 0..32)");
    assertThatThrownBy(() -> AddressRange.parse("proxy.internal")).hasMessageStartingWith("'proxy.internal' is not an "
        + "address range");
  }
}

package dev.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # url                          | tls   | host          | port | authority
      http://127.0.0.1:8081          | false | 127.0.0.1     | 8081 | 127.0.0.1:8081
      http://app.internal            | false | app.internal  | 80   | app.internal
      http://app.internal/           | false | app.internal  | 80   | app.internal
      https://app.internal           | true  | app.internal  | 443  | app.internal
      HTTPS://app.internal:443       | true  | app.internal  | 443  | app.internal
      https://app.internal:80        | true  | app.internal  | 80   | app.internal:80
      http://[::1]:8081              | false | ::1           | 8081 | [::1]:8081
      """)
  void parsesUpstream(String url, boolean tls, String host, int port, String authority) {
    Upstream upstream = Upstream.parse(url);

    assertThat(upstream).isEqualTo(new Upstream(tls, host, port, url));
    assertThat(upstream.authority()).isEqualTo(authority);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      ftp://files.example.com        | 'ftp://files.example.com' (expected: an http:// or https:// URL)
      app.internal:8080              | 'app.internal:8080' (expected: an http:// or https:// URL)
      http://                        | 'http://' is not a URL
      http://app_1.internal          | 'http://app_1.internal' has no host
      http://app.internal/api        | 'http://app.internal/api' has a path; the request path is forwarded unchanged, so give only scheme, host and port
      http://app.internal?x=1        | 'http://app.internal?x=1' must not contain user info, a query or a fragment
      http://u@app.internal          | 'http://u@app.internal' must not contain user info, a query or a fragment
      http://app.internal#f          | 'http://app.internal#f' must not contain user info, a query or a fragment
      """)
  void rejectsInvalidUpstream(String url, String message) {
    assertThatThrownBy(() -> Upstream.parse(url)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}

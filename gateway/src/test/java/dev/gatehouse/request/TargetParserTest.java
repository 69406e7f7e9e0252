package dev.gatehouse.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetParserTest {

  @ParameterizedTest(name = "{0} (Host {1})")
  @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
      # raw target                          | Host header      | host          | path    | encoded path | query
      /a/b                                  | app.example.com  | app.example.com | /a/b  | /a/b         | NULL
      /a?x=1&y=2                            | app.example.com  | app.example.com | /a    | /a           | x=1&y=2
      /a?                                   | app.example.com  | app.example.com | /a    | /a           | ''
      /a?next=/b/../c&e=%2F%00%25%zz        | app.example.com  | app.example.com | /a    | /a           | next=/b/../c&e=%2F%00%25%zz
      /a/../b/%7Bx%7D?q                     | app.example.com  | app.example.com | /b/{x} | /b/%7Bx%7D  | q
      /caf%c3%a9?q=%C3%A9                   | app.example.com  | app.example.com | /café | /caf%C3%A9   | q=%C3%A9
      /                                     | App.Example.COM  | app.example.com | /     | /            | NULL
      /a                                    | app.example.com. | app.example.com | /a    | /a           | NULL
      /a                                    | [::1]            | [::1]           | /a    | /a           | NULL
      /a                                    | [2001:DB8::1]    | [2001:db8::1]   | /a    | /a           | NULL
      /a                                    | 127.0.0.1        | 127.0.0.1       | /a    | /a           | NULL
      https://app.example.com/a/b?x=1       | app.example.com  | app.example.com | /a/b  | /a/b         | x=1
      HTTPS://APP.example.com/a             | app.example.com  | app.example.com | /a    | /a           | NULL
      http://app.example.com:8443/a         | app.example.com  | app.example.com | /a    | /a           | NULL
      https://app.example.com./a            | app.example.com  | app.example.com | /a    | /a           | NULL
      https://app.example.com               | app.example.com  | app.example.com | /     | /            | NULL
      https://app.example.com?x=1           | app.example.com  | app.example.com | /     | /            | x=1
      https://app.example.com//a/./b/       | app.example.com  | app.example.com | /a/b/ | /a/b/        | NULL
      https://[::1]:8443/a                  | [::1]            | [::1]           | /a    | /a           | NULL
      """)
  void acceptsAndSplitsTarget(String raw, String hostHeader, String host, String path, String encodedPath, String query) {
    RequestTarget target = TargetParser.parse(raw, hostHeader);

    assertThat(target).isEqualTo(new RequestTarget(host, path, encodedPath, query));
    assertThat(PathNormalizerTest.percentDecode(target.encodedPath())).isEqualTo(target.path());
  }

  @ParameterizedTest(name = "{0} (Host {1}) -> {2}")
  @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
      # raw target                         | Host header        | reason        | detail contains
      /a                                   | NULL               | HOST_INVALID  | missing Host header
      /a                                   | ''                 | HOST_INVALID  | missing Host header
      /a                                   | exa mple.com       | HOST_INVALID  | invalid character in host
      /a                                   | app.example.com:8443 | HOST_INVALID | invalid character in host
      /a                                   | [::1                | HOST_INVALID  | invalid IPv6 host literal
      /a                                   | [::g]              | HOST_INVALID  | invalid IPv6 host literal
      /a                                   | .                  | HOST_INVALID  | invalid host
      https://other.example.com/a          | app.example.com    | PATH_REJECTED | another host than the Host header
      https://app.example.com.evil.org/a   | app.example.com    | PATH_REJECTED | another host than the Host header
      https://[::2]/a                      | [::1]              | PATH_REJECTED | another host than the Host header
      https://user@app.example.com/a       | app.example.com    | PATH_REJECTED | userinfo in request target
      https://user:pw@app.example.com/a    | app.example.com    | PATH_REJECTED | userinfo in request target
      https://app.example.com@evil.org/a   | app.example.com    | PATH_REJECTED | userinfo in request target
      ftp://app.example.com/a              | app.example.com    | PATH_REJECTED | the request target must be a path
      *                                    | app.example.com    | PATH_REJECTED | the request target must be a path
      a/b                                  | app.example.com    | PATH_REJECTED | the request target must be a path
      /a#frag                              | app.example.com    | PATH_REJECTED | fragment in request target
      /a?x=1#frag                          | app.example.com    | PATH_REJECTED | character in query (percent-encode it)
      /a?x=a b                             | app.example.com    | PATH_REJECTED | control, space
      /a?x=é                               | app.example.com    | PATH_REJECTED | non-ASCII character in query
      /a/%2F/b?x                           | app.example.com    | PATH_REJECTED | (%2F) in path
      https://app.example.com/..           | app.example.com    | PATH_REJECTED | climbs above the root
      """)
  void refusesInvalidTargetOrHost(String raw, String hostHeader, Reason reason, String detail) {
    assertThatThrownBy(() -> TargetParser.parse(raw, hostHeader))
        .isInstanceOfSatisfying(Reason.Rejection.class, r -> {
          assertThat(r.reason()).isEqualTo(reason);
          assertThat(r.detail()).contains(detail);
        });
  }

  @Test
  void refusesControlCharacterInQuery() {
    assertThatThrownBy(() -> TargetParser.parse("/a?x=1\r\nInjected: 1", "app.example.com"))
        .isInstanceOfSatisfying(Reason.Rejection.class, r -> assertThat(r.reason()).isEqualTo(Reason.PATH_REJECTED));
  }

  @Test
  void buildsTheUpstreamUriFromEncodedPathAndRawQuery() {
    RequestTarget target = TargetParser.parse("/x/../caf%c3%a9/%7B%7D?a=%2F&b", "app.example.com");

    assertThat(target.upstreamUri()).isEqualTo("/caf%C3%A9/%7B%7D?a=%2F&b");
    assertThat(TargetParser.parse("/a/", "app.example.com").upstreamUri()).isEqualTo("/a/");
  }
}

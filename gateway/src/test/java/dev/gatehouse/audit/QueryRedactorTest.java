package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.config.GatewayConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryRedactorTest {

  private static final QueryRedactor REDACTOR = new QueryRedactor(GatewayConfigLoader.DEFAULT_REDACTED);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      # query                                   | logged
      page=2                                    | page=2
      page=2&sort=name                          | page=2&sort=name
      token=abc                                 | token=[REDACTED]
      access_token=abc                          | access_token=[REDACTED]
      id_token=abc&page=2                       | id_token=[REDACTED]&page=2
      page=2&refresh_token=abc                  | page=2&refresh_token=[REDACTED]
      %74oken=abc                               | %74oken=[REDACTED]
      tok%65n=abc                               | tok%65n=[REDACTED]
      %54OKEN=abc                               | %54OKEN=[REDACTED]
      Token=abc                                 | Token=[REDACTED]
      ACCESS_TOKEN=abc                          | ACCESS_TOKEN=[REDACTED]
      code=xyz&state=s1                         | code=[REDACTED]&state=[REDACTED]
      password=hunter2&user=bob                 | password=[REDACTED]&user=bob
      client_secret=s                           | client_secret=[REDACTED]
      api_key=k&apiKey=k                        | api_key=[REDACTED]&apiKey=[REDACTED]
      session=s&sessionId=t                     | session=[REDACTED]&sessionId=[REDACTED]
      X-Amz-Signature=f00                       | X-Amz-Signature=[REDACTED]
      SAMLassertion=x                           | SAMLassertion=[REDACTED]
      token=a=b=c                               | token=[REDACTED]
      token=                                    | token=[REDACTED]
      token                                     | token
      token&page=2                              | token&page=2
      q=token&token                             | q=token&token
      a=1&&b=2                                  | a=1&&b=2
      a=1&                                      | a=1&
      &token=abc                                | &token=[REDACTED]
      &&a=1                                     | &&a=1
      &                                         | &
      %zztoken=1                                | %zztoken=[REDACTED]
      to%                                       | to%
      page                                      | page
      =value                                    | =value
      ""                                        | ""
      """)
  void redactsSecretLookingParameters(String query, String logged) {
    assertThat(REDACTOR.redact(query)).isEqualTo(logged);
  }

  @Test
  void keepsNullQueryNull() {
    assertThat(REDACTOR.redact(null)).isNull();
  }

  @Test
  void matchesConfiguredWordsCaseInsensitively() {
    QueryRedactor redactor = new QueryRedactor(List.of("Ticket"));

    assertThat(redactor.redact("TICKET=1&token=2")).isEqualTo("TICKET=[REDACTED]&token=2");
  }
}

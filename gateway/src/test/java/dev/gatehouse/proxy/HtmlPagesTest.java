package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlPagesTest {

  @Test
  void escapesEverythingThatCouldBreakOutOfTextOrAnAttribute() {
    assertThat(HtmlPages.escape("<script>alert('x')</script> & \"q\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    assertThat(HtmlPages.escape("a\u0000b")).isEqualTo("a b");
  }

  @Test
  void thePolicyAllowsOnlyThePagesOwnStyle() {
    assertThat(HtmlPages.CONTENT_SECURITY_POLICY).matches("default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  }
}

package dev.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {

  static final String REQUEST_ID = "5c0f1e2d3c4b5a69788796a5b4c3d2e1";
  static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  static MultiMap headers(String... nameValues) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.add(nameValues[i], nameValues[i + 1]);
    }
    return m;
  }

  @Test
  void aValidTraceparentKeepsItsTraceIdAndGetsTheGatewaysSpan() {
    TraceContext t = TraceContext.of(headers("traceparent", VALID, "tracestate", "congo=t61rcWkgMzE"), REQUEST_ID);

    assertThat(t.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(t.traceparent()).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")
        .doesNotContain("00f067aa0ba902b7");
    assertThat(t.tracestate()).isEqualTo("congo=t61rcWkgMzE");
    assertThat(t.continued()).isTrue();
  }

  @Test
  void withoutATraceparentANewTraceStartsWithTheRequestIdAsTraceId() {
    TraceContext t = TraceContext.of(headers("tracestate", "congo=t61rcWkgMzE"), REQUEST_ID);

    assertThat(t.traceparent()).matches("00-" + REQUEST_ID + "-[0-9a-f]{16}-01");
    assertThat(t.tracestate()).as("tracestate without a valid traceparent").isNull();
    assertThat(t.continued()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
      ""})
  void anInvalidTraceparentIsReplaced(String value) {
    TraceContext t = TraceContext.of(headers("traceparent", value, "tracestate", "congo=t61rcWkgMzE"), REQUEST_ID);

    assertThat(t.traceId()).isEqualTo(REQUEST_ID);
    assertThat(t.tracestate()).isNull();
    assertThat(t.continued()).isFalse();
  }

  @Test
  void twoTraceparentsAreInvalid() {
    TraceContext t = TraceContext.of(headers("traceparent", VALID, "traceparent", VALID), REQUEST_ID);

    assertThat(t.traceId()).isEqualTo(REQUEST_ID);
  }

  @Test
  void aLaterVersionIsReadAsVersion00AndKeepsOnlyTheSampledFlag() {
    TraceContext t = TraceContext.of(
        headers("traceparent", "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-what-the-future-holds"),
        REQUEST_ID);

    assertThat(t.traceparent()).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01");
  }

  @Test
  void anUnsampledTraceStaysUnsampled() {
    TraceContext t = TraceContext.of(
        headers("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"), REQUEST_ID);

    assertThat(t.flags()).isEqualTo("00");
  }

  @Test
  void severalTracestateHeadersAreOneList() {
    TraceContext t = TraceContext.of(headers("traceparent", VALID, "tracestate", "a=1", "tracestate", "b=2"),
        REQUEST_ID);

    assertThat(t.tracestate()).isEqualTo("a=1,b=2");
  }
}

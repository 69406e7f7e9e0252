package dev.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashChainTest {

  static final String KEY_TEXT = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  final EventSerializer serializer = new EventSerializer(new QueryRedactor(List.of("token")), "abc123");

  String seal(HashChain chain, AuditEvent event) throws IOException {
    byte[] line = chain.seal(serializer.serialize(event, chain.nextSeq()));
    assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
    return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
  }

  @Test
  void eachLinesHashIsTheSha256OfTheLineWithoutItsHashMember() throws Exception {
    HashChain chain = new HashChain(null, HashChain.GENESIS, 1);

    String first = seal(chain, new TestEvent("one"));
    String second = seal(chain, new TestEvent("two"));

    assertThat(first).startsWith("{\"time\":\"2025-01-31T09:15:02.042Z\",\"type\":\"test\",\"event_id\":\"abc123-1\","
        + "\"seq\":1,\"name\":\"one\",\"prev\":\"" + HashChain.GENESIS + "\",\"hash\":\"");
    assertThat(ChainFormat.storedHash(first)).isEqualTo(ChainFormat.hashOf(first, null));
    assertThat(new JsonObject(second).getString("prev")).isEqualTo(ChainFormat.storedHash(first));
    assertThat(new JsonObject(second).getLong("seq")).isEqualTo(2);
    assertThat(ChainFormat.storedHash(second)).isEqualTo(ChainFormat.hashOf(second, null)).isEqualTo(chain.lastHash());
  }

  @Test
  void aKeyedChainUsesHmacSha256WithTheKeyBytes() throws Exception {
    ChainKey key = ChainKey.fromText(KEY_TEXT + "\n", "test");
    HashChain chain = new HashChain(key, HashChain.GENESIS, 7);

    String line = seal(chain, new TestEvent("one"));

    assertThat(chain.algorithm()).isEqualTo("hmac-sha256");
    assertThat(new JsonObject(line).getLong("seq")).isEqualTo(7);
    assertThat(ChainFormat.storedHash(line))
        .isEqualTo(ChainFormat.hashOf(line, KEY_TEXT.getBytes(StandardCharsets.US_ASCII)))
        .isNotEqualTo(ChainFormat.hashOf(line, null));
  }

  @Test
  void aChainContinuesFromTheHashItIsGiven() throws Exception {
    String previous = "ab".repeat(32);
    HashChain chain = new HashChain(null, previous, 42);

    assertThat(new JsonObject(seal(chain, new TestEvent("x"))).getString("prev")).isEqualTo(previous);
  }

  @Test
  void anEventCannotWriteAFieldNamedLikeAnEnvelopeOrChainField() {
    AuditEvent sneaky = new AuditEvent() {
      @Override
      public String type() {
        return "sneaky";
      }

      @Override
      public Instant time() {
        return Instant.EPOCH;
      }

      @Override
      public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
        g.writeStringField("hash", "0".repeat(64));
      }
    };

    assertThatThrownBy(() -> serializer.serialize(sneaky, 1)).hasMessageContaining("Duplicate field 'hash'");
  }

  @Test
  void timestampsAreUtcWithExactlyMilliseconds() {
    assertThat(EventSerializer.timestamp(Instant.parse("2025-01-31T09:15:02Z"))).isEqualTo("2025-01-31T09:15:02.000Z");
    assertThat(EventSerializer.timestamp(Instant.parse("2025-01-31T09:15:02.123456789Z")))
        .isEqualTo("2025-01-31T09:15:02.123Z");
  }

  @Test
  void aShortKeyIsRefusedAndAKeyNeverShowsItself() {
    assertThatThrownBy(() -> ChainKey.fromText("short\n", "audit.key"))
        .hasMessage("the key in audit.key has 5 bytes (expected: at least 32, e.g. the output of 'openssl rand -hex 32')");
    ChainKey key = ChainKey.fromText(KEY_TEXT, "test");
    assertThat(key.toString()).doesNotContain(KEY_TEXT).contains(key.id());
    assertThat(key.id()).hasSize(16);
  }
}

package dev.gatehouse.identity;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/** Reads the keys of a JWK Set document (RFC 7517 section 5) that an operator wrote, one key at a time. */
final class JwkSetKeys {

  /** Takes one key of the set; {@code where} ("keys[2]") starts its error messages. */
  @FunctionalInterface
  interface KeyReader {
    void read(JWK jwk, String where) throws KeyRingException;
  }

  private JwkSetKeys() {}

  /**
   * Hands every key of the set to {@code reader}, in order; the first error ends the reading.
   *
   * @param expectedKey what the set must hold at least one of, told when it holds no key
   */
  static void forEach(byte[] content, String expectedKey, KeyReader reader) throws KeyRingException {
    Map<String, Object> json;
    try {
      json = JSONObjectUtils.parse(new String(content, StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new KeyRingException("not a JSON object: " + e.getMessage());
    }
    List<Object> entries;
    try {
      entries = JSONObjectUtils.getJSONArray(json, "keys");
    } catch (ParseException e) {
      throw new KeyRingException("'keys' is not a list");
    }
    if (entries == null || entries.isEmpty()) {
      throw new KeyRingException("the key set has no keys (expected: {\"keys\": [...]} with at least one " + expectedKey
          + ")");
    }
    for (int i = 0; i < entries.size(); i++) {
      String where = "keys[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> map)) {
        throw new KeyRingException(where + ": not a JSON object");
      }
      JWK jwk;
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> keyJson = (Map<String, Object>) map;
        jwk = JWK.parse(keyJson);
      } catch (ParseException e) {
        throw new KeyRingException(where + ": " + e.getMessage());
      }
      reader.read(jwk, where);
    }
  }
}

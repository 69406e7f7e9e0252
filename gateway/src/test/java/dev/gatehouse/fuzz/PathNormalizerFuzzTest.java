package dev.gatehouse.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.gatehouse.Reason;
import dev.gatehouse.request.PathNormalizer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Whatever the path, the normalizer either refuses it with a path rejection or returns a canonical path whose encoding
 * decodes back to exactly the judged path, and normalizing that encoding again changes nothing.
 */
class PathNormalizerFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void normalizedPathsAreCanonicalAndRoundTrip(@NotNull String raw) {
    String path = "/" + raw;
    PathNormalizer.CanonicalPath canonical;
    try {
      canonical = PathNormalizer.normalize(path);
    } catch (Reason.Rejection r) {
      assertThat(r.reason()).isEqualTo(Reason.PATH_REJECTED);
      return;
    }
    String decoded = canonical.decoded();
    assertThat(decoded).startsWith("/").doesNotContain("//").doesNotContain("\\").doesNotContain(";");
    assertThat(("/" + decoded + "/").contains("/../")).isFalse();
    assertThat(("/" + decoded + "/").contains("/./")).isFalse();
    // '+' is not a space in a path; protect it from URLDecoder's form semantics
    assertThat(URLDecoder.decode(canonical.encoded().replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(decoded);
    assertThat(PathNormalizer.normalize(canonical.encoded())).isEqualTo(canonical);
  }
}

package dev.gatehouse.identity;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.nimbusds.jose.JWSAlgorithm;
import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;

/**
 * Any string as a bearer token is refused with a token reason before any key is needed, or reaches the signature
 * check; no parser exception, class cast or null pointer may escape from token and claims handling.
 */
class TokenFuzzTest {

  private static final GatewayConfig.Issuer ISSUER = new GatewayConfig.Issuer("fuzz", URI.create("https://idp.example.com"),
      Set.of("gatehouse"), Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
      new ClaimMapping(ClaimPath.parse("email"), List.of(ClaimPath.parse("groups"), ClaimPath.parse("realm_access.roles"),
          ClaimPath.parse("scope")), ClaimPath.parse("tenant")),
      Duration.ofSeconds(60), Duration.ofMinutes(10), Duration.ofSeconds(30), null, null);

  @FuzzTest(maxDuration = "20s")
  void tokensAreRefusedWithAReasonOrReachTheSignatureCheck(@NotNull String token) {
    try {
      TokenVerifier.inspectUnverified(token, ISSUER, new ClaimsRules(ISSUER, InstantSource.system()));
    } catch (Reason.Rejection expected) {
      // refused with a reason: fine
    }
  }
}

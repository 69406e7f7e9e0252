package dev.gatehouse.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.policy.PolicyCompiler;
import dev.gatehouse.policy.PolicyFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Any bytes as a policy file either compile or are refused with located problems; nothing else may escape. */
class PolicyCompilerFuzzTest {

  private static final byte[] SEED = """
      permissions:
        billing: [finance]
      routes:
        - id: a
          host: "*.example.com"
          path: /tenants/{tenant}/**
          methods: [GET]
          upstream: http://127.0.0.1:8080
          allow:
            - permissions: [billing]
              mfa: {maxAge: 5m}
              tenant: "{tenant}"
              claims: {realm_access.roles: {contains: x}}
      tests:
        - name: t
          identity: {sub: a, groups: [finance], tenant: acme, amr: [otp]}
          request: GET https://a.example.com/tenants/acme/x
          expect: allow
      """.getBytes(java.nio.charset.StandardCharsets.UTF_8);

  @FuzzTest(maxDuration = "20s")
  void policiesCompileOrAreRefusedWithProblems(@NotNull byte[] input) {
    byte[] content = input.length == 0 ? SEED : input;
    try {
      PolicyCompiler.compile(List.of(PolicyFile.of(Path.of("fuzz.yaml"), "fuzz.yaml", content)), Instant.EPOCH);
    } catch (ConfigException expected) {
      if (expected.problems().isEmpty()) {
        throw new AssertionError("a refusal must say why");
      }
    }
  }
}

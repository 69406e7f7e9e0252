package dev.gatehouse.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.gatehouse.config.YamlNode;

/**
 * A test case written in a policy file: who asks (claims, or nobody), what they ask for, and what the policy must
 * answer. Run by {@code check-policy} and before every reload; a failing case refuses the policy.
 *
 * @param claims the caller's identity as token claims, or null for an anonymous request
 * @param authAge how long ago the caller authenticated (sets {@code auth_time}); null leaves it as written
 * @param expect {@code allow}, {@code deny}, {@code step-up}, {@code unauthenticated} or {@code not-found}
 * @param reason the expected reason code, or null to accept any
 * @param at where the test case is written
 */
public record PolicyTestCase(String name, Map<String, Object> claims, Duration authAge, String method, String host,
    String path, String expect, String reason, YamlNode.Position at, String pointer) {

  public static final List<String> EXPECTATIONS = List.of("allow", "deny", "step-up", "unauthenticated", "not-found");
}

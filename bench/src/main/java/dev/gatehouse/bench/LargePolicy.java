package dev.gatehouse.bench;

import dev.gatehouse.policy.PolicyFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic policy shaped like a large company's: {@code files} files of {@code routesPerFile} routes over 50
 * hosts (exact and wildcard), with literal, variable and {@code **} segments, permissions, MFA and tenant rules.
 */
final class LargePolicy {

  private LargePolicy() {}

  static List<PolicyFile> files(int files, int routesPerFile) {
    List<PolicyFile> out = new ArrayList<>();
    StringBuilder permissions = new StringBuilder("mfa:\n  amr: [otp, hwk]\npermissions:\n");
    for (int p = 0; p < 20; p++) {
      permissions.append("  perm").append(p).append(": [group").append(p).append("]\n");
    }
    out.add(file("permissions.yaml", permissions.toString()));
    for (int f = 0; f < files; f++) {
      StringBuilder yaml = new StringBuilder("routes:\n");
      for (int r = 0; r < routesPerFile; r++) {
        int n = f * routesPerFile + r;
        String host = n % 5 == 0 ? "\"*.svc" + (n % 50) + ".example.com\"" : "app" + (n % 50) + ".example.com";
        yaml.append("  - id: route-").append(n).append('\n')
            .append("    host: ").append(host).append('\n')
            .append("    path: /api/v").append(n % 3).append("/area").append(n).append("/{tenant}/items/**\n")
            .append("    upstream: http://10.0.").append(n % 250).append(".1:8080\n")
            .append("    allow:\n")
            .append("      - name: staff\n")
            .append("        permissions: [perm").append(n % 20).append("]\n")
            .append("        mfa: {maxAge: 1h}\n")
            .append("        tenant: \"{tenant}\"\n");
      }
      out.add(file("routes-" + f + ".yaml", yaml.toString()));
    }
    return out;
  }

  private static PolicyFile file(String name, String text) {
    return PolicyFile.of(Path.of("policies", name), name, text.getBytes(StandardCharsets.UTF_8));
  }
}

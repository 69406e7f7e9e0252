package dev.gatehouse.policy;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Reads, compiles and tests a policy directory: the one way a policy comes into force, at start-up, on reload and in
 * {@code check-policy}. A policy whose files do not compile or whose own test cases fail is refused. Blocking.
 */
public final class PolicyLoader {

  private PolicyLoader() {}

  /**
   * @throws ConfigException every compile problem, or every failing test case
   * @throws IOException when the directory or a file cannot be read
   */
  public static CompiledPolicy load(Path directory, Instant now) throws ConfigException, IOException {
    List<PolicyFile> files = PolicyDirectory.read(directory);
    if (files.isEmpty()) {
      throw new ConfigException(List.of(new ConfigProblem(directory, 1, 1, "",
          "no policy files (*.yaml, *.yml) in the directory; the gateway refuses to run without a policy")));
    }
    return check(files, now);
  }

  /** Compiles and tests files already read. */
  public static CompiledPolicy check(List<PolicyFile> files, Instant now) throws ConfigException {
    if (files.isEmpty()) {
      throw new ConfigException(List.of(new ConfigProblem(Path.of("."), 1, 1, "",
          "no policy files (*.yaml, *.yml); the gateway refuses to run without a policy")));
    }
    CompiledPolicy policy = PolicyCompiler.compile(files, now);
    List<ConfigProblem> failures = PolicyTests.run(policy, now);
    if (!failures.isEmpty()) {
      throw new ConfigException(failures);
    }
    if (policy.routes().size() == 0) {
      throw new ConfigException(List.of(new ConfigProblem(files.get(0).path(), 1, 1, "",
          "the policy defines no routes (the gateway would answer every request with 404)")));
    }
    return policy;
  }
}

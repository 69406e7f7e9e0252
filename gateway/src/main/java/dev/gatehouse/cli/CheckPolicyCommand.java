package dev.gatehouse.cli;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.policy.CompiledPolicy;
import dev.gatehouse.policy.PolicyCompiler;
import dev.gatehouse.policy.PolicyDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check-policy", mixinStandardHelpOptions = true,
    description = {"Compile a policy directory and report every problem with file:line.",
        "Exit codes: 0 valid, 1 invalid, 2 cannot read the directory."})
final class CheckPolicyCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "DIR", description = "the policy directory")
  Path directory;

  @Override
  public Integer call() {
    CompiledPolicy policy;
    try {
      policy = PolicyCompiler.compile(PolicyDirectory.read(directory), Instant.now());
    } catch (IOException e) {
      System.err.println("gatehouse: cannot read " + directory + ": " + e.getMessage());
      return 2;
    } catch (ConfigException e) {
      RunCommand.printProblems(e);
      return 1;
    }
    System.out.printf("policy %s: %d file(s), %d route(s), %d permission(s)%n", policy.version(), policy.files().size(),
        policy.routes().size(), policy.permissions().descriptions().size());
    return 0;
  }
}

package dev.gatehouse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gatehouse} command line. */
@Command(
    name = "gatehouse",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Zero-trust, identity-aware reverse proxy.",
    subcommands = {RunCommand.class, CheckPolicyCommand.class, KeysCommand.class, VerifyLogCommand.class, HealthCommand.class, DevCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"gatehouse " + (v == null ? "development build" : v)};
    }
  }
}

package dev.gatehouse.cli;


import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * Starts the embedded demo (development CA and certificates, a demo OIDC provider, a demo app and the gateway). The
 * demo lives in its own jar, so that nothing dev-only is in the production jar's code path; this command finds that
 * jar and runs it with the same Java.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = {"Run the embedded demo on https://localhost:8443 (loopback only).",
        "  gatehouse dev              start the demo",
        "  gatehouse dev token USER   print a fresh access token for a demo user while the demo runs"})
final class DevCommand implements Callable<Integer> {

  @Option(names = "--demo-jar", paramLabel = "JAR", description = "the demo jar (default: demo/target/gatehouse-demo.jar "
      + "next to this jar's build, or $GATEHOUSE_DEMO_JAR)")
  Path demoJar;

  @Unmatched
  List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Path jar = demoJar != null ? demoJar : findDemoJar();
    if (jar == null || !Files.isRegularFile(jar)) {
      System.err.println("gatehouse: the demo jar was not found"
          + (jar == null ? "" : " at " + jar) + "; build it with: mvn -B -q package -DskipTests");
      return 2;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).inheritIO().start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "gatehouse-dev-stop"));
    return process.waitFor();
  }

  private static Path findDemoJar() {
    String fromEnv = System.getenv("GATEHOUSE_DEMO_JAR");
    if (fromEnv != null) {
      return Path.of(fromEnv);
    }
    try {
      Path self = Path.of(DevCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // gateway/target/gatehouse.jar -> demo/target/gatehouse-demo.jar
      Path repository = self.getParent() == null ? null : self.getParent().getParent();
      if (repository != null && repository.getParent() != null) {
        Path candidate = repository.getParent().resolve("demo").resolve("target").resolve("gatehouse-demo.jar");
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
    } catch (URISyntaxException | SecurityException e) {
      // fall through to the working directory
    }
    Path local = Path.of("demo", "target", "gatehouse-demo.jar");
    return Files.isRegularFile(local) ? local : null;
  }

}

package dev.gatehouse.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as operators run it: {@code java -jar gatehouse.jar ...} in its own JVM, built by {@code mvn package}
 * before the integration tests. Used where the process boundary matters: heap limits, exit codes, signals.
 */
public final class GatewayProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("gatehouse listening on https://[^:]+:(\\d+)");

  private final Process process;
  private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
  private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
  private final CompletableFuture<Integer> port = new CompletableFuture<>();

  private GatewayProcess(Process process) {
    this.process = process;
    pump(process.getErrorStream(), stderr, true);
    pump(process.getInputStream(), stdout, false);
  }

  public static Path jar() {
    String path = System.getProperty("gatehouse.jar");
    if (path == null) {
      throw new IllegalStateException("the gatehouse.jar system property is not set (run through mvn verify)");
    }
    return Path.of(path);
  }

  /** Starts {@code java <jvmArgs> -jar gatehouse.jar <args>}. */
  public static GatewayProcess start(List<String> jvmArgs, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    return new GatewayProcess(new ProcessBuilder(command).start());
  }

  /** Runs a command to completion and returns its exit code and output. */
  public static Finished run(String... args) throws Exception {
    try (GatewayProcess p = start(List.of(), args)) {
      if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("gatehouse " + String.join(" ", args) + " did not finish: " + p.stderr);
      }
      p.drained();
      return new Finished(p.process.exitValue(), String.join("\n", p.stdout), String.join("\n", p.stderr));
    }
  }

  /** A finished command. */
  public record Finished(int exitCode, String stdout, String stderr) {}

  /** The port the gateway listens on, once it says so; fails if it exits first. */
  public int awaitListening() throws Exception {
    try {
      return port.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the gateway did not start: " + stderr, e);
    }
  }

  public Process process() {
    return process;
  }

  public List<String> stderr() {
    return List.copyOf(stderr);
  }

  public List<String> stdout() {
    return List.copyOf(stdout);
  }

  private void drained() throws InterruptedException {
    // the pump threads end when the streams close; give them their last lines
    for (Thread t : pumps) {
      t.join(5_000);
    }
  }

  private final List<Thread> pumps = new ArrayList<>();

  private void pump(java.io.InputStream in, List<String> into, boolean watchForPort) {
    Thread t = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          into.add(line);
          if (watchForPort) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              port.complete(Integer.parseInt(m.group(1)));
            }
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      port.completeExceptionally(new IllegalStateException("the process ended"));
    }, "gateway-process-output");
    t.setDaemon(true);
    t.start();
    pumps.add(t);
  }

  /** Sends SIGTERM and waits for the exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the gateway did not stop within 60 seconds of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}

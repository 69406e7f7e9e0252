package dev.gatehouse.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.Timeout;

/**
 * Does what a new user does after reading the README: from the repository root, runs {@code java -jar
 * gateway/target/gatehouse.jar dev}, pastes the commands it prints into a shell, and checks every curl gets the
 * status its comment promises. Needs both jars ({@code mvn verify} builds them first), bash, and /usr/bin/curl.
 */
class DemoIT {

  private static final Path ROOT = Path.of(System.getProperty("gatehouse.root", "..")).toAbsolutePath().normalize();
  private static final Path GATEHOUSE_JAR = Path.of(System.getProperty("gatehouse.jar", "../gateway/target/gatehouse.jar"));
  private static final Path DEMO_JAR = Path.of(System.getProperty("gatehouse.demo.jar", "target/gatehouse-demo.jar"));
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final String CURL_STATUS = " -s -o /dev/null -w '%{http_code}'";
  private static final List<Integer> PORTS = List.of(8443, 8444, 8081);
  private static final Duration STARTUP = Duration.ofMinutes(3);
  private static final Duration COMMAND = Duration.ofSeconds(60);
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final String RUNNING = "Gatehouse demo is running on https://localhost:8443 (Ctrl-C to stop)";
  private static final String BANNER_END = "Access events follow, one JSON line per request:";
  private static final Pattern EXPECTED_STATUS = Pattern.compile("^# .*: (\\d{3})$");
  private static final Pattern EXPORT = Pattern.compile("^export ([A-Z]+_TOKEN)=([\\w-]+\\.[\\w-]+\\.[\\w-]+)$");
  private static final Pattern JWT = Pattern.compile("^[\\w-]+\\.[\\w-]+\\.[\\w-]+$");

  /** What a finished command printed. */
  record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void theCommandsTheDemoPrintsDoWhatTheirCommentsSay() throws Exception {
    assertThat(GATEHOUSE_JAR).as("the gateway jar (built by mvn package)").isRegularFile();
    assertThat(DEMO_JAR).as("the demo jar (built by mvn package)").isRegularFile();
    assertThat(PORTS).as("ports the demo needs are free").allMatch(DemoIT::isFree);

    Result notRunning = gatehouse("dev", "token", "alice");
    assertThat(notRunning.exit()).as(notRunning.toString()).isEqualTo(1);
    assertThat(notRunning.stderr())
        .contains("the demo is not running; start it with: java -jar gateway/target/gatehouse.jar dev");

    Path stderr = Files.createTempFile("gatehouse-demo", ".stderr");
    Process demo = new ProcessBuilder(JAVA, "-jar", GATEHOUSE_JAR.toString(), "dev")
        .directory(ROOT.toFile())
        .redirectError(stderr.toFile())
        .start();
    List<ProcessHandle> demoProcesses = new ArrayList<>();
    try {
      Lines stdout = Lines.of(demo);
      List<String> banner;
      try {
        banner = stdout.until(RUNNING, BANNER_END, STARTUP);
      } catch (TimeoutException e) {
        fail("the demo did not print its instructions within " + STARTUP + ": " + e.getMessage()
            + "\n--- stdout ---\n" + stdout.transcript() + "\n--- stderr ---\n" + Files.readString(stderr));
        return;
      }
      demoProcesses.addAll(demo.descendants().toList());

      List<String> exports = new ArrayList<>();
      for (String line : banner) {
        if (line.startsWith("export ")) {
          Matcher m = EXPORT.matcher(line);
          assertThat(m.matches()).as("an export line with a token: " + line).isTrue();
          exports.add(m.group(1));
        }
      }
      assertThat(exports).containsExactly("ALICE_TOKEN", "BOB_TOKEN", "CAROL_TOKEN", "MALLORY_TOKEN");
      String exportLines = String.join("\n", banner.stream().filter(l -> l.startsWith("export ")).toList());
      assertThat(String.join("\n", banner)).contains(
          "# alice has the billing permission: 200\n"
              + "curl --cacert certs-dev/ca.crt -H \"Authorization: Bearer $ALICE_TOKEN\" https://localhost:8443/billing/invoices",
          "# bob lacks it: 403\n"
              + "curl --cacert certs-dev/ca.crt -H \"Authorization: Bearer $BOB_TOKEN\" https://localhost:8443/billing/invoices",
          "# no token: 401\ncurl --cacert certs-dev/ca.crt https://localhost:8443/billing/invoices",
          "java -jar gateway/target/gatehouse.jar dev token alice",
          "--cert certs-dev/admin-client.crt --key certs-dev/admin-client.key https://localhost:9443/metrics");

      int curls = 0;
      for (int i = 0; i < banner.size(); i++) {
        String line = banner.get(i);
        if (!line.startsWith("curl ")) {
          continue;
        }
        Matcher expected = EXPECTED_STATUS.matcher(i == 0 ? "" : banner.get(i - 1));
        assertThat(expected.matches()).as("the line before '" + line + "' says which status to expect").isTrue();
        Result result = bash(exportLines + "\n" + line + CURL_STATUS, Map.of());
        assertThat(result.stdout()).as(line + "\n" + result).isEqualTo(expected.group(1));
        curls++;
      }
      assertThat(curls).isGreaterThanOrEqualTo(6);

      Result token = gatehouse("dev", "token", "alice");
      assertThat(token.exit()).as(token.toString()).isZero();
      assertThat(token.stdout().strip()).as("only the token on stdout").matches(JWT);
      Result withToken = bash("curl --cacert certs-dev/ca.crt -H \"Authorization: Bearer $TOKEN\" "
          + "https://localhost:8443/billing/invoices" + CURL_STATUS, Map.of("TOKEN", token.stdout().strip()));
      assertThat(withToken.stdout()).as(withToken.toString()).isEqualTo("200");

      Result unknown = gatehouse("dev", "token", "nobody");
      assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(1);
      assertThat(unknown.stdout()).isEmpty();
      assertThat(unknown.stderr()).contains("nobody");

      assertThat(String.join("\n", banner)).contains("Try it in a browser: open https://localhost:8443/ and sign in");
      if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
        signInWithABrowser();
      } else {
        System.out.println("browser sign-in not tried: " + CHROMIUM + " and " + CHROMEDRIVER + " are not installed");
      }
    } finally {
      demoProcesses.addAll(demo.descendants().toList());
      stop(demo, demoProcesses);
    }
    assertThat(PORTS).as("the demo's ports are free again").allMatch(DemoIT::isFree);
  }

  /**
   * What a person does with the demo in a browser: opens the gateway, signs in at the demo IdP as alice, sees the demo
   * app's page with her identity, is told what she lacks on a page she may not see, and signs out.
   */
  private static void signInWithABrowser() throws Exception {
    Path profile = Files.createTempDirectory("gatehouse-demo-chromium");
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--ignore-certificate-errors-spki-list=" + spkiHash(ROOT.resolve("certs-dev/server.crt")));
    ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build(), options);
    try {
      long started = System.nanoTime();
      browser.get("https://localhost:8443/");
      assertThat(browser.getCurrentUrl()).startsWith("https://localhost:8444/demo/authorize?");
      assertThat(browser.getTitle()).isEqualTo("Demo identity provider: sign in");
      browser.findElement(By.name("username")).sendKeys("alice");
      browser.findElement(By.cssSelector("input[type=submit]")).click();
      new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.urlToBe("https://localhost:8443/"));
      System.out.println("demo browser sign-in (page, IdP login page, typing, back on the app): "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
      assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Hello alice");
      assertThat(browser.findElement(By.tagName("body")).getText()).contains("alice@acme.example")
          .contains("finance,support").contains("acme");

      browser.get("https://localhost:8443/settings/smtp");
      assertThat(browser.getTitle()).isEqualTo("Access denied");
      assertThat(browser.findElement(By.tagName("body")).getText())
          .contains("You are signed in as alice@acme.example (alice).").contains("requires permission [app_settings]");

      browser.get("https://localhost:8443/");
      browser.findElement(By.linkText("Sign out")).click();
      new WebDriverWait(browser, Duration.ofSeconds(30))
          .until(ExpectedConditions.urlToBe("https://localhost:8443/.gatehouse/signed-out"));
      browser.get("https://localhost:8443/");
      assertThat(browser.getTitle()).as("signed out: the next visit signs in again")
          .isEqualTo("Demo identity provider: sign in");
    } finally {
      browser.quit();
    }
  }

  private static String spkiHash(Path certificate) throws Exception {
    try (var in = Files.newInputStream(certificate)) {
      var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in);
      return java.util.Base64.getEncoder().encodeToString(
          java.security.MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    }
  }

  /**
   * Stops the demo as Ctrl-C would stop {@code gatehouse dev}: the command stops the demo process it started. Anything
   * still running after that is killed, and the test fails.
   */
  private static void stop(Process demo, List<ProcessHandle> processes) throws Exception {
    demo.destroy();
    List<ProcessHandle> leftovers = new ArrayList<>();
    if (!demo.waitFor(60, TimeUnit.SECONDS)) {
      leftovers.add(demo.toHandle());
    }
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        leftovers.add(process);
      }
    }
    leftovers.forEach(ProcessHandle::destroyForcibly);
    assertThat(leftovers).as("processes still running after the demo was stopped").isEmpty();
  }

  private static Result gatehouse(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", GATEHOUSE_JAR.toString()));
    command.addAll(List.of(arguments));
    return run(command, Map.of());
  }

  private static Result bash(String script, Map<String, String> environment) throws Exception {
    return run(List.of("bash", "-c", script), environment);
  }

  /** Runs a command in the repository root with output to files (so no pipe can fill up) and a bounded wait. */
  private static Result run(List<String> command, Map<String, String> environment) throws Exception {
    Path out = Files.createTempFile("gatehouse-demo-command", ".stdout");
    Path err = Files.createTempFile("gatehouse-demo-command", ".stderr");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        fail(command + " did not finish within " + COMMAND + "\nstderr: " + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A process's stdout, read line by line on a thread of its own for as long as the process writes. */
  private static final class Lines {
    private static final String END = "\u0000end of stream";
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final StringBuffer transcript = new StringBuffer();

    static Lines of(Process process) {
      Lines lines = new Lines();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.transcript.append(line).append('\n');
            lines.queue.add(line);
          }
        } catch (IOException e) {
          lines.transcript.append("(reading stopped: ").append(e).append(")\n");
        } finally {
          lines.queue.add(END);
        }
      }, "demo-stdout");
      reader.setDaemon(true);
      reader.start();
      return lines;
    }

    /** The lines from the one equal to {@code first} up to the one equal to {@code last}, both included. */
    List<String> until(String first, String last, Duration timeout) throws InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<String> lines = new ArrayList<>();
      while (true) {
        String line = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new TimeoutException("no '" + (lines.isEmpty() ? first : last) + "' line");
        }
        if (line == END) {
          throw new TimeoutException("the demo stopped before printing '" + (lines.isEmpty() ? first : last) + "'");
        }
        if (!lines.isEmpty() || line.equals(first)) {
          lines.add(line);
        }
        if (!lines.isEmpty() && line.equals(last)) {
          return lines;
        }
      }
    }

    String transcript() {
      return transcript.toString();
    }
  }
}

package dev.gatehouse.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser for tests: Debian's headless Chromium driven through {@code /usr/bin/chromedriver} (never a browser
 * or driver downloaded at run time), with a fresh profile, trusting exactly the test server certificate (by the
 * SHA-256 of its public key) and nothing else that is not publicly trusted. Tests that need it call
 * {@link #assumeInstalled()} first: without chromium and chromedriver they are skipped with a clear message; CI
 * installs both (see .ci/run), so there they run.
 */
public final class Chromium implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  public static void assumeInstalled() {
    Assumptions.assumeTrue(Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
        "browser tests skipped: " + BINARY + " and " + DRIVER + " are needed (apt-get install chromium chromium-driver)");
  }

  /** Starts Chromium trusting the test PKI's server certificate (the gateway's and the test IdP's). */
  public static Chromium start() {
    assumeInstalled();
    try {
      Path profile = Files.createTempDirectory(TestPki.directory().getParent(), "chromium-profile-");
      ChromeOptions options = new ChromeOptions()
          .setBinary(BINARY.toFile())
          .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--user-data-dir=" + profile,
              "--ignore-certificate-errors-spki-list=" + spkiHash(TestPki.server().certificate()));
      options.setPageLoadTimeout(Duration.ofSeconds(30));
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(DRIVER.toFile())
          .usingAnyFreePort()
          .build();
      return new Chromium(new ChromeDriver(service, options), profile);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot start chromium", e);
    }
  }

  /** Base64 of the SHA-256 of the leaf certificate's SubjectPublicKeyInfo, as Chromium's SPKI allow-list wants it. */
  static String spkiHash(Path certificate) {
    try {
      List<X509Certificate> chain = dev.gatehouse.tls.Pem.readCertificates(certificate);
      byte[] spki = chain.get(0).getPublicKey().getEncoded();
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    } catch (Exception e) {
      throw new IllegalStateException("cannot hash the public key of " + certificate, e);
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        // a leftover profile in target/ is harmless
      }
    }
  }
}

package dev.gatehouse.tls;

import dev.gatehouse.audit.CertificateReloadEvent;
import dev.gatehouse.audit.EventLog;
import dev.gatehouse.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the listeners' certificate current: the certificate, key and admin CA files are checked by content every
 * {@code tls.reloadInterval}; a changed set is loaded and validated on a worker thread and, only if valid, installed
 * into the running listeners (new handshakes use it, open connections keep theirs). An invalid pair is refused and the
 * old one keeps serving. Every attempt is a {@code certificate_reload} event; a certificate near its expiry is warned
 * about once a day.
 */
public final class CertificateReloader {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  /** What is in force: the certificate and the admin CA bytes (null without an admin listener). */
  public record Installed(ServerCertificate certificate, byte[] adminCa) {}

  private final Vertx vertx;
  private final GatewayConfig.Tls tls;
  private final Path adminCa;
  private final EventLog events;
  private final InstantSource clock;
  private final Function<Installed, Future<?>> install;
  private final AtomicReference<Installed> current;
  private volatile String fingerprint;
  private volatile boolean checking;
  private volatile Instant lastExpiryWarning = Instant.EPOCH;
  private long timer = -1;

  public CertificateReloader(Vertx vertx, GatewayConfig.Tls tls, Path adminCa, EventLog events, InstantSource clock,
      Installed initial, Function<Installed, Future<?>> install) throws IOException {
    this.vertx = vertx;
    this.tls = tls;
    this.adminCa = adminCa;
    this.events = events;
    this.clock = clock;
    this.install = install;
    this.current = new AtomicReference<>(initial);
    this.fingerprint = fingerprint(files());
    warnIfExpiring(initial.certificate());
  }

  public ServerCertificate certificate() {
    return current.get().certificate();
  }

  public void start() {
    if (!tls.reloadInterval().isZero()) {
      timer = vertx.setPeriodic(tls.reloadInterval().toMillis(), id -> check("file-change"));
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Reloads now if the files changed (or always, when {@code force}); completes when the attempt is over. */
  public Future<Boolean> reload(String trigger, boolean force) {
    return vertx.executeBlocking(() -> fingerprint(files()), false).compose(fp -> {
      if (!force && fp.equals(fingerprint)) {
        warnIfExpiring(certificate());
        return Future.succeededFuture(false);
      }
      return attempt(trigger, fp);
    });
  }

  private void check(String trigger) {
    if (checking) {
      return;
    }
    checking = true;
    reload(trigger, false).onComplete(ar -> checking = false);
  }

  private Future<Boolean> attempt(String trigger, String newFingerprint) {
    Installed before = current.get();
    return vertx.executeBlocking(() -> new Installed(ServerCertificate.load(tls), adminCa == null ? null
        : Files.readAllBytes(adminCa)), false)
        .compose(next -> install.apply(next).map(v -> next))
        .map(next -> {
          current.set(next);
          fingerprint = newFingerprint;
          events.record(CertificateReloadEvent.applied(clock.instant(), trigger, certificateFile(), keyFile(),
              next.certificate().leaf(), before.certificate().leaf()));
          LOG.info("certificate reloaded ({}): {} valid until {}", trigger,
              next.certificate().leaf().getSubjectX500Principal().getName(), next.certificate().notAfter());
          warnIfExpiring(next.certificate());
          return true;
        })
        .recover(e -> {
          // remember the bad files so they are reported once, not on every check
          fingerprint = newFingerprint;
          String why = e instanceof TlsException ? e.getMessage() : e.toString();
          events.record(CertificateReloadEvent.rejected(clock.instant(), trigger, certificateFile(), keyFile(), why,
              before.certificate().leaf()));
          LOG.error("certificate reload ({}) refused, the previous certificate keeps serving: {}", trigger, why);
          return Future.succeededFuture(false);
        });
  }

  private void warnIfExpiring(ServerCertificate certificate) {
    Instant now = clock.instant();
    Duration left = Duration.between(now, certificate.notAfter());
    if (left.compareTo(tls.expiryWarning()) < 0 && lastExpiryWarning.plus(Duration.ofDays(1)).isBefore(now)) {
      lastExpiryWarning = now;
      LOG.warn("the server certificate {} expires on {} ({} days left)",
          certificate.leaf().getSubjectX500Principal().getName(), certificate.notAfter(), Math.max(0, left.toDays()));
    }
  }

  private List<Path> files() {
    List<Path> files = new ArrayList<>(tls.files());
    if (adminCa != null) {
      files.add(adminCa);
    }
    return files;
  }

  private Path certificateFile() {
    return tls.pkcs12() != null ? tls.pkcs12() : tls.certificate();
  }

  private Path keyFile() {
    return tls.pkcs12() != null ? tls.pkcs12() : tls.key();
  }

  private static String fingerprint(List<Path> files) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path f : files) {
        sha.update(Files.readAllBytes(f));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.gatehouse.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The server's TLS certificate and key were reloaded, or a reload was refused and the old pair kept. Build it with
 * {@link #applied} or {@link #rejected} and pass it to {@link EventLog#record}.
 *
 * @param trigger what started the reload, e.g. {@code file-change}, {@code admin}, {@code schedule}
 * @param result {@code applied} or {@code rejected}
 * @param subject the certificate in force afterwards: its subject DN
 * @param sha256 SHA-256 fingerprint (hex) of the certificate in force afterwards
 * @param previousSha256 SHA-256 fingerprint of the certificate in force before; null on a first load
 * @param error why a reload was rejected; null when applied
 */
public record CertificateReloadEvent(Instant time, String trigger, String result, Path certificateFile, Path keyFile,
    String subject, String serial, Instant notAfter, String sha256, String previousSha256, String error)
    implements AuditEvent {

  public static final String TYPE = "certificate_reload";

  public CertificateReloadEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(result, "result");
  }

  /** A new certificate and key are in force. */
  public static CertificateReloadEvent applied(Instant time, String trigger, Path certificateFile, Path keyFile,
      X509Certificate now, X509Certificate previous) {
    Objects.requireNonNull(now, "now");
    return new CertificateReloadEvent(time, trigger, "applied", certificateFile, keyFile,
        now.getSubjectX500Principal().getName(), now.getSerialNumber().toString(16), now.getNotAfter().toInstant(),
        fingerprint(now), previous == null ? null : fingerprint(previous), null);
  }

  /**
   * The files could not be used ({@code error} says why, with no key material); {@code kept} stays in force.
   *
   * @param kept the certificate still in force, or null if there is none yet
   */
  public static CertificateReloadEvent rejected(Instant time, String trigger, Path certificateFile, Path keyFile,
      String error, X509Certificate kept) {
    Objects.requireNonNull(error, "error");
    return new CertificateReloadEvent(time, trigger, "rejected", certificateFile, keyFile,
        kept == null ? null : kept.getSubjectX500Principal().getName(),
        kept == null ? null : kept.getSerialNumber().toString(16),
        kept == null ? null : kept.getNotAfter().toInstant(), kept == null ? null : fingerprint(kept),
        kept == null ? null : fingerprint(kept), error);
  }

  /** SHA-256 of the DER encoding, lower-case hex: what {@code openssl x509 -fingerprint -sha256} shows. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode a certificate", e);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void writeFields(JsonGenerator g, QueryRedactor redactor) throws IOException {
    g.writeStringField("trigger", trigger);
    g.writeStringField("result", result);
    AccessEvent.string(g, "certificate_file", certificateFile == null ? null : certificateFile.toString());
    AccessEvent.string(g, "key_file", keyFile == null ? null : keyFile.toString());
    AccessEvent.string(g, "subject", subject);
    AccessEvent.string(g, "serial", serial);
    if (notAfter != null) {
      g.writeStringField("not_after", EventSerializer.timestamp(notAfter));
    }
    AccessEvent.string(g, "sha256", sha256);
    AccessEvent.string(g, "previous_sha256", previousSha256);
    AccessEvent.string(g, "error", error);
  }
}

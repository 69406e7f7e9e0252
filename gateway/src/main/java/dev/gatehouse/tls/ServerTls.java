package dev.gatehouse.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.Set;

/**
 * The listener's TLS policy: TLS 1.2 and 1.3 only, AES-GCM with forward secrecy only, ALPN h2 and http/1.1.
 * Nothing here is configurable on purpose; weakening it is a code change with a review.
 */
public final class ServerTls {

  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** TLS 1.3 AES-GCM suites, then TLS 1.2 ECDHE-RSA AES-GCM suites (forward secrecy, AEAD). */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_256_GCM_SHA384",
      "TLS_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

  private ServerTls() {}

  /** Applies the TLS policy and the certificate to {@code options}. */
  public static HttpServerOptions apply(HttpServerOptions options, ServerCertificate certificate) {
    options.setSsl(true)
        .setKeyCertOptions(keyCert(certificate))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    for (String suite : CIPHER_SUITES) {
      options.addEnabledCipherSuite(suite);
    }
    return options;
  }

  /** The same policy as {@link #apply}, as options for {@code HttpServer.updateSSLOptions} (certificate rotation). */
  public static ServerSSLOptions sslOptions(ServerCertificate certificate) {
    ServerSSLOptions options = new ServerSSLOptions()
        .setKeyCertOptions(keyCert(certificate))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(true);
    for (String suite : CIPHER_SUITES) {
      options.addEnabledCipherSuite(suite);
    }
    return options;
  }

  /**
   * The admin listener: the same policy, plus client certificates from {@code clientCa}. They are requested, not
   * required, so health probes work without one; a certificate from another CA fails the handshake.
   */
  public static HttpServerOptions applyAdmin(HttpServerOptions options, ServerCertificate certificate, Buffer clientCa) {
    return apply(options, certificate).setClientAuth(ClientAuth.REQUEST)
        .setTrustOptions(new PemTrustOptions().addCertValue(clientCa));
  }

  public static ServerSSLOptions adminSslOptions(ServerCertificate certificate, Buffer clientCa) {
    return sslOptions(certificate).setClientAuth(ClientAuth.REQUEST)
        .setTrustOptions(new PemTrustOptions().addCertValue(clientCa));
  }

  public static PemKeyCertOptions keyCert(ServerCertificate certificate) {
    return new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(certificate.chainPem()))
        .setKeyValue(Buffer.buffer(certificate.keyPem()));
  }
}

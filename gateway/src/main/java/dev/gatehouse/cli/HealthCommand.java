package dev.gatehouse.cli;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import dev.gatehouse.tls.Pem;
import dev.gatehouse.tls.TlsException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A probe for container health checks: asks the admin listener of the gateway described by the configuration whether
 * it is alive (or ready). It trusts exactly the gateway's own configured certificate, so it needs neither a CA bundle
 * nor a way to skip verification.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = {"Probe the admin listener of a running gateway: /healthz, or /readyz with --ready.",
        "Exit codes: 0 healthy (or ready), 1 not, 2 invalid configuration or no admin listener configured."})
final class HealthCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gatehouse.yaml")
  Path config;

  @Option(names = "--ready", description = "ask /readyz instead of /healthz")
  boolean ready;

  @Override
  public Integer call() {
    GatewayConfig cfg;
    try {
      cfg = GatewayConfigLoader.load(config);
    } catch (ConfigException e) {
      RunCommand.printProblems(e);
      return 2;
    }
    if (cfg.admin() == null) {
      System.err.println("gatehouse: " + config + " configures no admin listener");
      return 2;
    }
    String host = cfg.admin().host().equals("0.0.0.0") || cfg.admin().host().equals("::") ? "localhost" : cfg.admin().host();
    try {
      URL url = new URL("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + cfg.admin().port()
          + (ready ? "/readyz" : "/healthz"));
      HttpsURLConnection connection = (HttpsURLConnection) url.openConnection();
      connection.setSSLSocketFactory(trustingOnly(cfg.tls()).getSocketFactory());
      // the certificate is pinned; its names need not match the address the probe uses inside the container
      connection.setHostnameVerifier((name, session) -> true);
      connection.setConnectTimeout(5_000);
      connection.setReadTimeout(5_000);
      int status = connection.getResponseCode();
      try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
        if (body != null) {
          System.out.println(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return status == 200 ? 0 : 1;
    } catch (Exception e) {
      System.err.println("gatehouse: the admin listener did not answer: " + e.getMessage());
      return 1;
    }
  }

  private static SSLContext trustingOnly(GatewayConfig.Tls tls) throws Exception {
    X509Certificate certificate;
    try {
      certificate = tls.pkcs12() != null
          ? (X509Certificate) Pem.readPkcs12(tls.pkcs12(), tls.keyPassphrase() == null ? null
              : tls.keyPassphrase().chars()).getCertificate()
          : Pem.readCertificates(tls.certificate()).get(0);
    } catch (TlsException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("gateway", certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}

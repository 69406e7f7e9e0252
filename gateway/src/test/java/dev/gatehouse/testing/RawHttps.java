package dev.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends bytes exactly as written over TLS (trusting the test CA) and returns what came back, for requests an HTTP
 * client library would refuse to send or would clean up first.
 */
public final class RawHttps {

  private RawHttps() {}

  public static SSLContext trustingTestCa() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (InputStream in = java.nio.file.Files.newInputStream(TestPki.ca().certificate())) {
        trust.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static SSLSocket connect(int port) throws IOException {
    SSLSocket socket = (SSLSocket) trustingTestCa().getSocketFactory().createSocket("localhost", port);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  /**
   * Writes {@code request} and reads one response: its head, then a Content-Length or chunked body. Reads until
   * close when the response has neither, or until the server goes quiet for ten seconds.
   */
  public static String exchange(int port, String request) throws IOException {
    try (SSLSocket socket = connect(port)) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readResponse(socket.getInputStream());
    }
  }

  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        out.write(b);
        if (endsWithBlankLine(out)) {
          break;
        }
      }
      String head = out.toString(StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(head);
      if (length.find()) {
        out.write(in.readNBytes(Integer.parseInt(length.group(1))));
      } else if (head.contains("transfer-encoding: chunked")) {
        while ((b = in.read()) >= 0) {
          out.write(b);
          if (out.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n0\r\n\r\n")) {
            break;
          }
        }
      } else {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
        }
      }
    } catch (SocketTimeoutException | javax.net.ssl.SSLException | java.net.SocketException e) {
      // the server went quiet or reset the connection: what arrived is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean endsWithBlankLine(ByteArrayOutputStream out) {
    byte[] b = out.toByteArray();
    int n = b.length;
    return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
  }

  /** The status code of the first response in {@code raw}, or -1 when there is none. */
  public static int status(String raw) {
    if (!raw.startsWith("HTTP/1.")) {
      return -1;
    }
    return Integer.parseInt(raw.substring(9, 12));
  }
}

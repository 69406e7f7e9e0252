package dev.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

/**
 * One raw TLS connection to the gateway that a test drives byte by byte: it writes exactly what it is given (bare LF,
 * obs-fold, contradictory framing, one byte at a time) and reads whatever comes back until the gateway closes the
 * connection or stays quiet. For the framing and timeout cases an HTTP client library would never send.
 */
public final class RawConnection implements AutoCloseable {

  /** What came back: the bytes as text, and whether the gateway closed the connection (rather than going quiet). */
  public record Answer(String text, boolean closed, Duration elapsed) {

    /** The status of the first response, or -1 when none arrived. */
    public int status() {
      return RawHttps.status(text);
    }

    /** How many responses arrived (status lines). */
    public int responses() {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^HTTP/1\\.[01] \\d{3} ").matcher(text);
      int n = 0;
      while (m.find()) {
        n++;
      }
      return n;
    }

    /** The JSON reason code of the first response body, or null. */
    public String reason() {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"reason\":\"([a-z-]+)\"").matcher(text);
      return m.find() ? m.group(1) : null;
    }

    public String header(String name) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^" + java.util.regex.Pattern.quote(name)
          + ": *([^\r\n]*)").matcher(text);
      return m.find() ? m.group(1) : null;
    }
  }

  private final SSLSocket socket;
  private final OutputStream out;
  private final InputStream in;
  private final long openedAt = System.nanoTime();

  private RawConnection(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  /** Connects and completes the TLS handshake (ALPN not offered, so the gateway speaks HTTP/1.1). */
  public static RawConnection open(int port) throws IOException {
    return new RawConnection(RawHttps.connect(port));
  }

  /** Sends {@code request} (ISO-8859-1) and reads until the gateway closes the connection or is quiet for 5 seconds. */
  public static Answer exchange(int port, String request) throws IOException {
    try (RawConnection c = open(port)) {
      c.send(request);
      return c.readUntilClosed(Duration.ofSeconds(5));
    }
  }

  public RawConnection send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawConnection send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one response: its head and a Content-Length or chunked body (see {@link RawHttps}). */
  public String readResponse() throws IOException {
    return RawHttps.readResponse(in);
  }

  /**
   * Reads until the gateway closes the connection, or until it has sent nothing for {@code quiet}; the answer says which.
   */
  public Answer readUntilClosed(Duration quiet) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    socket.setSoTimeout((int) quiet.toMillis());
    boolean closed;
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        received.write(buffer, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      closed = true; // reset or a TLS alert: the gateway ended the connection
    }
    return new Answer(received.toString(StandardCharsets.ISO_8859_1), closed,
        Duration.ofNanos(System.nanoTime() - openedAt));
  }

  /** True once the gateway has closed the connection: a read returns end-of-stream (or fails) within {@code wait}. */
  public boolean closedWithin(Duration wait) throws IOException {
    return readUntilClosed(wait).closed();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

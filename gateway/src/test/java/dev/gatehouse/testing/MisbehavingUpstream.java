package dev.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An upstream that misbehaves on purpose at the TCP level, where a well-made HTTP server never would: it resets the
 * connection, answers garbage, never answers, or stops half-way through a body. Plain blocking sockets, a thread per
 * connection; counts the connections it accepted, so tests can tell whether the gateway retried or held back.
 */
public final class MisbehavingUpstream implements AutoCloseable {

  public enum Mode {
    /** A well-formed 200 with a small body. */
    OK,
    /** Reads the request head, then resets the connection (RST). */
    RESET,
    /** Reads the request head, then answers bytes that are not HTTP. */
    GARBAGE,
    /** Reads the request head and never answers. */
    STALL_HEADERS,
    /** Sends a head with Content-Length 100 and 10 bytes of body, then nothing more. */
    STALL_BODY,
    /** Sends a chunked head and one chunk, then nothing more. */
    STALL_CHUNKED_BODY,
    /** A well-formed chunked 200 of 20 MiB. */
    LARGE_CHUNKED_BODY,
    /** TLS only: resets the first {@code failFirst} connections before the handshake, then answers like OK. */
    OK_AFTER_FAILED_HANDSHAKES
  }

  private final ServerSocket server;
  private final boolean tls;
  private final AtomicInteger accepted = new AtomicInteger();
  private final java.util.concurrent.BlockingQueue<Integer> acceptedQueue = new java.util.concurrent.LinkedBlockingQueue<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile Mode mode;
  private volatile int failFirst;

  private MisbehavingUpstream(ServerSocket server, boolean tls, Mode mode) {
    this.server = server;
    this.tls = tls;
    this.mode = mode;
    Thread acceptor = new Thread(this::acceptLoop, "misbehaving-upstream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static MisbehavingUpstream start(Mode mode) throws IOException {
    return new MisbehavingUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), false, mode);
  }

  /** Over TLS with the test PKI's server certificate (the gateway must trust the test CA for upstreams). */
  public static MisbehavingUpstream startTls(Mode mode, int failFirst) throws Exception {
    char[] password = "changeit".toCharArray();
    KeyStore keys = TestPki.serverKeyStore(password);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    MisbehavingUpstream upstream = new MisbehavingUpstream(socket, true, mode);
    upstream.failFirst = failFirst;
    return upstream;
  }

  public String url() {
    return (tls ? "https://localhost:" : "http://127.0.0.1:") + server.getLocalPort();
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Forgets the connections accepted so far; {@link #awaitConnection} then waits for a new one. */
  public void clearConnections() {
    acceptedQueue.clear();
  }

  /** Waits until the upstream accepts a connection not seen by an earlier call. */
  public void awaitConnection(java.time.Duration timeout) throws InterruptedException {
    if (acceptedQueue.poll(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) == null) {
      throw new AssertionError("no connection reached the upstream within " + timeout);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        int n = accepted.incrementAndGet();
        acceptedQueue.add(n);
        open.add(socket);
        Thread t = new Thread(() -> serve(socket, n), "misbehaving-connection-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket, int number) {
    try {
      if (socket instanceof SSLSocket ssl) {
        if (mode == Mode.OK_AFTER_FAILED_HANDSHAKES && number <= failFirst) {
          reset(socket);
          return;
        }
        ssl.startHandshake();
      }
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (readHead(in)) {
        switch (mode) {
          case OK, OK_AFTER_FAILED_HANDSHAKES -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          case RESET -> {
            reset(socket);
            return;
          }
          case GARBAGE -> write(out, "SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001\u0002 this is not HTTP\r\n\r\n");
          case STALL_HEADERS -> {
            return; // keep the socket open, say nothing
          }
          case STALL_BODY -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789");
            return;
          }
          case LARGE_CHUNKED_BODY -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 320; i++) {
              out.write(size);
              out.write(chunk);
              out.write(new byte[] {'\r', '\n'});
            }
            write(out, "0\r\n\r\n");
          }
          case STALL_CHUNKED_BODY -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n0123456789\r\n");
            return;
          }
        }
      }
    } catch (IOException e) {
      // the gateway went away: fine
    }
  }

  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads one request head (and a Content-Length body); false at end of stream. */
  private static boolean readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
            .matcher(head.toString(StandardCharsets.ISO_8859_1));
        if (m.find()) {
          in.readNBytes(Integer.parseInt(m.group(1)));
        }
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}

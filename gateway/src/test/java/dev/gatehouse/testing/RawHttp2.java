package dev.gatehouse.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/2 frame by frame over TLS (ALPN h2), for what a client library never does: opening more streams than the
 * server allows, or reading the server's SETTINGS as sent. Headers are HPACK-coded with Netty's coder; everything else
 * is written and parsed by hand.
 */
public final class RawHttp2 implements AutoCloseable {

  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int GOAWAY = 7;

  public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

  /** One frame as received. */
  public record Frame(int type, int flags, int stream, byte[] payload) {

    /** For RST_STREAM and GOAWAY: the error code. */
    public long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }

    /** For SETTINGS: the value of {@code id}, or -1 when the frame does not carry it. */
    public long setting(int id) {
      for (int i = 0; i + 6 <= payload.length; i += 6) {
        int key = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
        if (key == id) {
          return ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16) | ((payload[i + 4] & 0xff) << 8)
              | (payload[i + 5] & 0xff);
        }
      }
      return -1;
    }
  }

  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

  private RawHttp2(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects with ALPN h2, sends the connection preface and an empty SETTINGS frame. */
  public static RawHttp2 connect(int port) throws IOException {
    SSLSocket socket = (SSLSocket) RawHttps.trustingTestCa().getSocketFactory().createSocket("localhost", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"h2"});
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    if (!"h2".equals(socket.getApplicationProtocol())) {
      socket.close();
      throw new IOException("the server did not choose h2");
    }
    RawHttp2 c = new RawHttp2(socket);
    c.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    c.frame(SETTINGS, 0, 0, new byte[0]);
    return c;
  }

  /** Acknowledges the server's SETTINGS. */
  public void ackSettings() throws IOException {
    frame(SETTINGS, 0x1, 0, new byte[0]);
  }

  /** Opens stream {@code stream} with a request of {@code method} for {@code path}, without a body. */
  public void request(int stream, String method, String path, Map<String, String> headers) throws IOException {
    Http2Headers h = new DefaultHttp2Headers().method(method).scheme("https").authority("localhost").path(path);
    headers.forEach((k, v) -> h.add(k.toLowerCase(java.util.Locale.ROOT), v));
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(stream, h, block);
      byte[] bytes = new byte[block.readableBytes()];
      block.readBytes(bytes);
      frame(HEADERS, 0x4 | 0x1, stream, bytes); // END_HEADERS | END_STREAM
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      throw new IOException(e);
    } finally {
      block.release();
    }
  }

  /** The :status of a HEADERS frame's block (decoded with this connection's HPACK state). */
  public String status(Frame headers) throws IOException {
    try {
      Http2Headers h = decoder.decodeHeaders(headers.stream(), Unpooled.wrappedBuffer(headers.payload()));
      return h.status() == null ? null : h.status().toString();
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      throw new IOException(e);
    }
  }

  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] header = {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length, (byte) type,
        (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream};
    out.write(header);
    out.write(payload);
    out.flush();
  }

  /** The next frame, or null when the server closed the connection or sent nothing for the socket timeout. */
  public Frame read() throws IOException {
    try {
      int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      return new Frame(type, flags, stream, payload);
    } catch (EOFException | SocketTimeoutException | javax.net.ssl.SSLException | java.net.SocketException e) {
      return null;
    }
  }

  /** Reads frames until one of {@code type} arrives (on any stream when {@code stream} is -1); null if none does. */
  public Frame await(int type, int stream) throws IOException {
    Frame f;
    while ((f = read()) != null) {
      if (f.type() == type && (stream < 0 || f.stream() == stream)) {
        return f;
      }
      if (f.type() == HEADERS) {
        status(f); // keep the HPACK decoder in step
      }
    }
    return null;
  }

  public void soTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

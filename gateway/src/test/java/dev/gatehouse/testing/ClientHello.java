package dev.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Builds a raw TLS ClientHello and reports what the server answered, so tests can offer exactly the protocol version
 * and cipher suites an attacker or an old client would, without the JDK client refusing to send them first.
 */
public final class ClientHello {

  /** What the server sent back first. */
  public enum Answer { SERVER_HELLO, ALERT, CLOSED }

  /** The server's first record, and for a ServerHello the cipher suite it chose. */
  public record Result(Answer answer, int alertDescription, int cipherSuite) {}

  public static final int TLS_1_1 = 0x0302;
  public static final int TLS_1_2 = 0x0303;
  public static final int ECDHE_RSA_AES_128_CBC_SHA = 0xC013;
  public static final int ECDHE_RSA_AES_256_CBC_SHA = 0xC014;
  public static final int ECDHE_RSA_AES_128_CBC_SHA256 = 0xC027;
  public static final int RSA_AES_128_CBC_SHA = 0x002F;
  public static final int RSA_AES_128_GCM_SHA256 = 0x009C;
  public static final int ECDHE_RSA_AES_128_GCM_SHA256 = 0xC02F;
  public static final int ECDHE_RSA_CHACHA20_POLY1305 = 0xCCA8;

  private ClientHello() {}

  /** Sends a ClientHello with {@code version} and {@code suites} to localhost:port and reads the first answer. */
  public static Result offer(int port, int version, int... suites) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(build(version, suites));
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    }
  }

  static byte[] build(int version, int... suites) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, version);
    for (int i = 0; i < 32; i++) {
      body.write(i);
    }
    body.write(0); // empty session id
    u16(body, suites.length * 2);
    for (int s : suites) {
      u16(body, s);
    }
    body.write(1);
    body.write(0); // null compression
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    byte[] host = "localhost".getBytes(StandardCharsets.US_ASCII);
    extension(ext, 0x0000, concat(u16(host.length + 3), new byte[] {0}, u16(host.length), host)); // server_name
    extension(ext, 0x000a, concat(u16(4), u16(0x001d), u16(0x0017))); // supported_groups: x25519, secp256r1
    extension(ext, 0x000b, new byte[] {1, 0}); // ec_point_formats: uncompressed
    extension(ext, 0x000d, concat(u16(6), u16(0x0401), u16(0x0804), u16(0x0403))); // signature_algorithms
    u16(body, ext.size());
    body.writeBytes(ext.toByteArray());

    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    handshake.write(1); // client_hello
    u24(handshake, body.size());
    handshake.writeBytes(body.toByteArray());

    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(0x16);
    u16(record, version == TLS_1_2 ? 0x0301 : version);
    u16(record, handshake.size());
    record.writeBytes(handshake.toByteArray());
    return record.toByteArray();
  }

  private static Result read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int type;
    try {
      type = data.readUnsignedByte();
    } catch (IOException e) {
      return new Result(Answer.CLOSED, -1, -1);
    }
    data.readUnsignedShort(); // record version
    int length = data.readUnsignedShort();
    byte[] payload = data.readNBytes(length);
    if (type == 0x15) {
      return new Result(Answer.ALERT, payload.length > 1 ? payload[1] & 0xff : -1, -1);
    }
    if (type == 0x16 && payload.length > 40 && payload[0] == 2) {
      int sessionIdLength = payload[38] & 0xff;
      int at = 39 + sessionIdLength;
      int suite = ((payload[at] & 0xff) << 8) | (payload[at + 1] & 0xff);
      return new Result(Answer.SERVER_HELLO, -1, suite);
    }
    return new Result(Answer.CLOSED, -1, -1);
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    u16(out, type);
    u16(out, data.length);
    out.writeBytes(data);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] u16(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static void u24(ByteArrayOutputStream out, int v) {
    out.write(v >> 16);
    out.write(v >> 8);
    out.write(v);
  }
}

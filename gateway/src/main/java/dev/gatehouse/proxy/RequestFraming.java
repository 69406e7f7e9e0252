package dev.gatehouse.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * The HTTP/1.x framing rules the gateway holds every request to, beyond what Netty's decoder enforces, so that no two
 * parties (client, gateway, upstream) can disagree about where a request ends (RFC 9112 sections 5.2, 6 and 11.2).
 * Refused: Content-Length together with Transfer-Encoding, Transfer-Encoding other than exactly one {@code chunked},
 * Transfer-Encoding in HTTP/1.0, obsolete line folding, and versions other than HTTP/1.0 and 1.1. (Netty itself refuses
 * duplicate and invalid Content-Length, bare LF and CR line endings, whitespace before the colon and invalid chunk sizes;
 * {@code FramingIT} pins both lists.)
 */
final class RequestFraming {

  private RequestFraming() {}

  /** A request whose framing is refused; the message is safe to show to the client and to log. */
  static final class FramingException extends IllegalArgumentException {
    FramingException(String message) {
      super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // control flow on the request path, not a bug
    }
  }

  /** The client did not send complete request headers in time; surfaces as 408. */
  static final class HeaderTimeoutException extends IllegalStateException {
    HeaderTimeoutException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  static boolean isSupported(HttpVersion version) {
    return version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
  }

  /**
   * What is wrong with the framing of {@code request}, or null when nothing is.
   *
   * @param contentLengthRemoved Netty removed a Content-Length because Transfer-Encoding: chunked was present too
   * @param folded a header line of this request started with whitespace (obsolete line folding)
   */
  static String problem(HttpRequest request, boolean contentLengthRemoved, boolean folded) {
    HttpVersion version = request.protocolVersion();
    if (!isSupported(version)) {
      return "unsupported HTTP version";
    }
    if (folded) {
      return "obsolete line folding (a header line starting with whitespace)";
    }
    HttpHeaders headers = request.headers();
    List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (encodings.isEmpty()) {
      return null;
    }
    if (contentLengthRemoved || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return "both Content-Length and Transfer-Encoding";
    }
    if (version.minorVersion() == 0) {
      return "Transfer-Encoding in an HTTP/1.0 request";
    }
    if (encodings.size() != 1 || !encodings.get(0).trim().equalsIgnoreCase("chunked")) {
      return "Transfer-Encoding other than chunked";
    }
    // one spelling from here on, so every later reader agrees the body is chunked
    headers.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    return null;
  }

  /**
   * Follows the bytes of a connection's request heads (request line and header lines, up to the empty line) to notice
   * what the decoder accepts silently: a header line that starts with SP or HTAB, which Netty folds into the previous
   * header. It also tells whether part of a request head has arrived, for the header timeout. Stops at the end of a
   * head; {@link #messageEnded()} starts it again for the next request. Not thread-safe: one per connection.
   */
  static final class HeadScanner {

    private enum State { BEFORE_REQUEST, REQUEST_LINE, LINE_START, HEADER_LINE, CR_AT_LINE_START, BODY }

    private State state = State.BEFORE_REQUEST;
    private boolean folded;
    /** Bytes at the start of the decoder's buffer that were already scanned on an earlier call. */
    private int scannedAhead;

    /** Scans the bytes of {@code in} not scanned before; does not move its reader index. */
    void scan(ByteBuf in) {
      int from = in.readerIndex() + scannedAhead;
      int to = in.writerIndex();
      int i = from;
      while (i < to && state != State.BODY) {
        step(in.getByte(i));
        i++;
      }
      scannedAhead = i - in.readerIndex();
    }

    /** After the decoder consumed {@code consumed} bytes of what {@link #scan} saw. */
    void consumed(int consumed) {
      scannedAhead = Math.max(0, scannedAhead - consumed);
    }

    private void step(byte b) {
      switch (state) {
        case BEFORE_REQUEST -> {
          // the decoder skips control characters and whitespace before a request line
          if (b > ' ' && b != 0x7f) {
            state = State.REQUEST_LINE;
          }
        }
        case REQUEST_LINE, HEADER_LINE -> {
          if (b == '\n') {
            state = State.LINE_START;
          }
        }
        case LINE_START -> {
          if (b == ' ' || b == '\t') {
            folded = true;
            state = State.HEADER_LINE;
          } else if (b == '\r') {
            state = State.CR_AT_LINE_START;
          } else if (b == '\n') {
            state = State.BODY;
          } else {
            state = State.HEADER_LINE;
          }
        }
        case CR_AT_LINE_START -> state = b == '\n' ? State.BODY : State.HEADER_LINE;
        case BODY -> { }
      }
    }

    /** True once a header line of the current request started with whitespace; cleared by {@link #headDecoded}. */
    boolean folded() {
      return folded;
    }

    /** The decoder produced the request for the head scanned so far. */
    void headDecoded() {
      folded = false;
      state = State.BODY;
    }

    /** The current request's body ended: the next bytes start a new request. */
    void messageEnded() {
      state = State.BEFORE_REQUEST;
      folded = false;
    }

    /** True when part of a request head has arrived but not all of it. */
    boolean partialHead() {
      return state != State.BEFORE_REQUEST && state != State.BODY;
    }
  }
}

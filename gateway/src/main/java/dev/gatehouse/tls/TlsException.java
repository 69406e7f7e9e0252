package dev.gatehouse.tls;

/** Certificate or key material that cannot be used; the message says which file and why. */
public final class TlsException extends Exception {
  public TlsException(String message) {
    super(message);
  }

  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}

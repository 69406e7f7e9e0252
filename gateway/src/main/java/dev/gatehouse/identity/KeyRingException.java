package dev.gatehouse.identity;

/** A key ring that cannot be used; the message says why, for the operator. */
public final class KeyRingException extends Exception {

  public KeyRingException(String message) {
    super(message);
  }

  public KeyRingException(String message, Throwable cause) {
    super(message, cause);
  }
}

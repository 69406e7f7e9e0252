package dev.gatehouse.identity;

/** How a request proved who it is. */
public enum AuthMethod {
  BEARER("bearer"),
  SESSION("session");

  private final String code;

  AuthMethod(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}

package dev.gatehouse.identity;

/**
 * The facts about a caller that the gateway may pass to an app as plain convenience headers. The signed assertion
 * always carries all of them; a route chooses which plain headers it also gets.
 */
public enum IdentityAttribute {
  USER("user"),
  EMAIL("email"),
  GROUPS("groups"),
  TENANT("tenant");

  private final String key;

  IdentityAttribute(String key) {
    this.key = key;
  }

  /** The name used in configuration and policy files. */
  public String key() {
    return key;
  }

  /** The attribute named {@code key}, or null. */
  public static IdentityAttribute byKey(String key) {
    for (IdentityAttribute a : values()) {
      if (a.key.equals(key)) {
        return a;
      }
    }
    return null;
  }
}

package dev.gatehouse.demo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The demo's users and the claims their tokens carry. policies/*.yaml are written with these people in mind. */
final class DemoUsers {

  /** A demo user; {@code name} is also the token's subject. */
  record User(String name, List<String> groups, String email, String tenant, List<String> amr) {

    /** The claims the demo IdP adds to the standard ones (iss, sub, aud, iat, exp) for a token issued at {@code now}. */
    Map<String, Object> claims(Instant now) {
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("groups", groups);
      claims.put("email", email);
      claims.put("tenant", tenant);
      claims.put("amr", amr);
      // the demo signs users in when it issues their token
      claims.put("auth_time", now.getEpochSecond());
      return claims;
    }
  }

  static final List<User> ALL = List.of(
      new User("alice", List.of("finance", "support"), "alice@acme.example", "acme", List.of("pwd", "otp")),
      new User("bob", List.of("messaging"), "bob@globex.example", "globex", List.of("pwd")),
      new User("carol", List.of("admins"), "carol@acme.example", "acme", List.of("pwd", "hwk")),
      new User("mallory", List.of(), "mallory@acme.example", "acme", List.of("pwd")));

  private DemoUsers() {}

  static Optional<User> find(String name) {
    return ALL.stream().filter(u -> u.name().equals(name)).findFirst();
  }

  static List<String> names() {
    return ALL.stream().map(User::name).toList();
  }
}

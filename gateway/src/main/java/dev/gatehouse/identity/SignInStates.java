package dev.gatehouse.identity;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sign-ins a browser has in progress, sealed into one short-lived cookie. Up to {@value #MAX_PENDING} at a time
 * (a user who opens several tabs before signing in); a further one replaces the oldest. Each lives
 * {@link #LIFETIME}. Stateless for the gateway: any replica can complete any sign-in.
 */
public final class SignInStates {

  static final String PURPOSE = "gatehouse-sign-in";
  public static final int MAX_PENDING = 3;
  public static final Duration LIFETIME = Duration.ofMinutes(10);

  private final CookieSealer sealer;
  private final InstantSource clock;

  public SignInStates(CookieSealer sealer, InstantSource clock) {
    this.sealer = sealer;
    this.clock = clock;
  }

  /** The unexpired pending sign-ins in a cookie value; none when it is absent or does not open. */
  public List<PendingSignIn> open(String sealed) {
    if (sealed == null) {
      return List.of();
    }
    Map<String, Object> json;
    try {
      json = sealer.open(sealed, PURPOSE);
    } catch (CookieSealer.Unsealable e) {
      return List.of();
    }
    if (!(json.get("pending") instanceof List<?> items)) {
      return List.of();
    }
    Instant now = clock.instant();
    List<PendingSignIn> out = new ArrayList<>();
    for (Object item : items) {
      if (item instanceof Map<?, ?> m) {
        try {
          PendingSignIn p = PendingSignIn.fromJson(m);
          if (now.isBefore(p.startedAt().plus(LIFETIME)) && !p.startedAt().isAfter(now.plus(Duration.ofMinutes(1)))) {
            out.add(p);
          }
        } catch (IllegalArgumentException e) {
          // a malformed entry is no sign-in
        }
      }
    }
    return out;
  }

  /** {@code pending} plus {@code added}, dropping the oldest beyond {@value #MAX_PENDING}. */
  public static List<PendingSignIn> with(List<PendingSignIn> pending, PendingSignIn added) {
    List<PendingSignIn> out = new ArrayList<>(pending);
    out.add(added);
    while (out.size() > MAX_PENDING) {
      out.remove(0);
    }
    return out;
  }

  /** The pending sign-in with exactly this state, compared in constant time, or null. */
  public static PendingSignIn find(List<PendingSignIn> pending, String state) {
    if (state == null) {
      return null;
    }
    byte[] wanted = state.getBytes(StandardCharsets.UTF_8);
    PendingSignIn found = null;
    for (PendingSignIn p : pending) {
      if (MessageDigest.isEqual(wanted, p.state().getBytes(StandardCharsets.UTF_8))) {
        found = p;
      }
    }
    return found;
  }

  public String seal(List<PendingSignIn> pending) {
    return sealer.seal(Map.of("pending", pending.stream().map(PendingSignIn::toJson).toList()), PURPOSE);
  }
}

package dev.gatehouse.identity;

import dev.gatehouse.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Turns a {@link Session} into the sealed value of the session cookie and back, judging its idle and absolute
 * lifetimes by the gateway's clock. A value that does not open (changed, truncated, another key, another purpose) is
 * {@code session-invalid}; an expired one {@code session-expired}. Neither is ever a session.
 */
public final class SessionCodec {

  static final String PURPOSE = "gatehouse-session";

  /** A cookie written by another replica whose clock runs slightly ahead is still fine. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  private final CookieSealer sealer;
  private final Duration idleTimeout;
  private final Duration absoluteTimeout;
  private final InstantSource clock;

  public SessionCodec(CookieSealer sealer, Duration idleTimeout, Duration absoluteTimeout, InstantSource clock) {
    this.sealer = Objects.requireNonNull(sealer, "sealer");
    this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    this.absoluteTimeout = Objects.requireNonNull(absoluteTimeout, "absoluteTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String encode(Session session) {
    return sealer.seal(session.toJson(), PURPOSE);
  }

  /** @throws Reason.Rejection {@code session-invalid} or {@code session-expired} */
  public Session decode(String value) {
    Session session;
    try {
      session = Session.fromJson(sealer.open(value, PURPOSE));
    } catch (CookieSealer.Unsealable e) {
      throw Reason.SESSION_INVALID.reject(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw Reason.SESSION_INVALID.reject("the session cookie's content is not a session");
    }
    Instant now = clock.instant();
    if (session.createdAt().isAfter(now.plus(CLOCK_SKEW)) || session.touchedAt().isBefore(session.createdAt())) {
      throw Reason.SESSION_INVALID.reject("the session cookie's times are impossible");
    }
    if (!now.isBefore(expiresAt(session))) {
      throw Reason.SESSION_EXPIRED.reject("the session has expired; sign in again");
    }
    return session;
  }

  public Instant expiresAt(Session session) {
    return session.expiresAt(idleTimeout, absoluteTimeout);
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration absoluteTimeout() {
    return absoluteTimeout;
  }
}

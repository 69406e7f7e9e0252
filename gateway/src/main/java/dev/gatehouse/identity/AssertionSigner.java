package dev.gatehouse.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.Reason;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs the identity assertion an app receives with each request: a short-lived JWT that says who the caller is and
 * which route, rule permissions and request it is for, signed with the gateway's current key. Runs on the event
 * loop: building claims and one ES256 signature take tens of microseconds, and signers are built once per key.
 */
public final class AssertionSigner {

  /** The JWT {@code typ}: an app checking it cannot be handed an ID or access token of the same issuer instead. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("gatehouse-assertion+jwt");

  private static final Logger LOG = LoggerFactory.getLogger(AssertionSigner.class);
  private static final HexFormat HEX = HexFormat.of();
  private static final long COMPLAINT_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

  /** The header of the key that signed last, encoded once: it is the same for every assertion that key signs. */
  private record Header(SigningKey key, JWSHeader header) {}

  private volatile Header lastHeader;
  private final AtomicLong lastComplaint = new AtomicLong(System.nanoTime() - COMPLAINT_INTERVAL_NANOS);
  private final String issuer;
  private final Duration lifetime;
  private final String audience;
  private final KeyRingStore keys;
  private final InstantSource clock;

  /**
   * @param issuer the {@code iss} of every assertion (the gateway's configured name)
   * @param audience the {@code aud} for routes that set none, or null for the route id
   */
  public AssertionSigner(String issuer, Duration lifetime, String audience, KeyRingStore keys, InstantSource clock) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    this.audience = audience;
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @param routeAudience the route's own audience, or null
   * @param permissions the permissions of the rule that allowed the request
   * @throws Reason.Rejection {@code internal-error} when no key may sign or signing fails: the request must then not
   *     be forwarded at all
   */
  public String sign(Identity who, String routeId, String routeAudience, Set<String> permissions, String requestId) {
    Instant now = clock.instant();
    SigningKey key = keys.current().signingKey(now);
    if (key == null) {
      complain("no key in " + keys + " may sign now (every key has expired or has an 'nbf' in the future)", null);
      throw Reason.INTERNAL_ERROR.reject("the identity assertion could not be signed");
    }
    long iat = now.getEpochSecond();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(routeAudience != null ? routeAudience : audience != null ? audience : routeId)
        .subject(who.subject())
        .issueTime(new Date(iat * 1000))
        .expirationTime(new Date((iat + lifetime.toSeconds()) * 1000))
        .jwtID(jti())
        .claim("groups", who.groups().stream().sorted().toList())
        .claim("permissions", permissions.stream().sorted().toList())
        .claim("route", routeId)
        .claim("rid", requestId);
    String email = verifiedEmail(who);
    if (email != null) {
      claims.claim("email", email);
    }
    if (who.tenant() != null) {
      claims.claim("tenant", who.tenant());
    }
    if (!who.amr().isEmpty()) {
      claims.claim("amr", who.amr());
    }
    if (who.acr() != null) {
      claims.claim("acr", who.acr());
    }
    if (who.authTime() != null) {
      claims.claim("auth_time", who.authTime().getEpochSecond());
    }
    try {
      SignedJWT jwt = new SignedJWT(header(key), claims.build());
      jwt.sign(key.signer());
      return jwt.serialize();
    } catch (JOSEException | ParseException | RuntimeException e) {
      complain("signing with kid " + key.kid() + " failed", e);
      throw Reason.INTERNAL_ERROR.reject("the identity assertion could not be signed");
    }
  }

  /**
   * A header parsed from its own encoding, so that Nimbus reuses that encoding instead of serializing the header again
   * for every assertion (a header it built itself is serialized on every use).
   */
  private JWSHeader header(SigningKey key) throws ParseException {
    Header last = lastHeader;
    if (last == null || last.key() != key) {
      JWSHeader built = new JWSHeader.Builder(key.algorithm()).keyID(key.kid()).type(TYPE).build();
      last = new Header(key, JWSHeader.parse(built.toBase64URL()));
      lastHeader = last;
    }
    return last.header();
  }

  /**
   * The caller's email, unless the token says it is unverified: an app may well use the email as an account key, and
   * anyone can type any address into an unverified profile. The policy treats such emails the same way.
   */
  public static String verifiedEmail(Identity who) {
    Object verified = who.claims().get("email_verified");
    // some IdPs (Cognito) send the flag as a string
    if (who.email() == null || Boolean.FALSE.equals(verified) || "false".equals(verified)) {
      return null;
    }
    return who.email();
  }

  /** 128 random bits: unique per assertion, so an app can refuse a replayed one within its lifetime. */
  private static String jti() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return HEX.toHexDigits(r.nextLong()) + HEX.toHexDigits(r.nextLong());
  }

  /** Every request fails while signing fails; one log line a minute says why without flooding the log. */
  private void complain(String message, Throwable cause) {
    long now = System.nanoTime();
    long last = lastComplaint.get();
    if (now - last >= COMPLAINT_INTERVAL_NANOS && lastComplaint.compareAndSet(last, now)) {
      LOG.error("cannot sign identity assertions, refusing every request that needs one: {}", message, cause);
    }
  }

  public Duration lifetime() {
    return lifetime;
  }
}

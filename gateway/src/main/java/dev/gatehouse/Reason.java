package dev.gatehouse;

/**
 * Why an exchange ended the way it did: one stable kebab-case code per outcome, the same string in the response
 * body, the access event and the metric tag. Codes are part of the public contract; never rename one.
 */
public enum Reason {
  ALLOWED("allowed", 200),
  PUBLIC_ROUTE("public-route", 200),

  /** Browser sign-in completed: a new session, and back to where the browser first wanted to go. */
  SIGNED_IN("signed-in", 302),
  /** The session was ended at {@code /.gatehouse/logout}. */
  SIGNED_OUT("signed-out", 302),
  /** Another site sent the browser to {@code /.gatehouse/logout}: the session stays, a page asks the person first. */
  SIGN_OUT_CONFIRMATION("sign-out-confirmation", 200),

  BAD_REQUEST("bad-request", 400),
  /** A sign-in callback that cannot complete: unknown or expired state, refused code, invalid ID token. */
  SIGN_IN_FAILED("sign-in-failed", 400),
  PATH_REJECTED("path-rejected", 400),
  HOST_INVALID("host-invalid", 400),
  URI_TOO_LONG("uri-too-long", 414),
  HEADERS_TOO_LARGE("headers-too-large", 431),
  BODY_TOO_LARGE("body-too-large", 413),
  /** The client did not complete its request headers within {@code limits.headerTimeout}. */
  REQUEST_TIMEOUT("request-timeout", 408),

  ROUTE_NOT_FOUND("route-not-found", 404),
  METHOD_NOT_ALLOWED("method-not-allowed", 405),

  CREDENTIAL_MISSING("credential-missing", 401),
  TOKEN_INVALID("token-invalid", 401),
  TOKEN_EXPIRED("token-expired", 401),
  ISSUER_UNKNOWN("issuer-unknown", 401),
  KEY_UNKNOWN("key-unknown", 401),
  SESSION_INVALID("session-invalid", 401),
  SESSION_EXPIRED("session-expired", 401),
  MFA_REQUIRED("mfa-required", 401),

  PERMISSION_MISSING("permission-missing", 403),
  TENANT_MISMATCH("tenant-mismatch", 403),
  CONDITION_UNMET("condition-unmet", 403),
  DENIED_BY_RULE("denied-by-rule", 403),
  NO_RULE_MATCHED("no-rule-matched", 403),

  RATE_LIMITED("rate-limited", 429),

  INTERNAL_ERROR("internal-error", 500),
  /** The identity would not fit in the cookies a browser keeps; never truncated. */
  SESSION_TOO_LARGE("session-too-large", 500),
  UPSTREAM_UNAVAILABLE("upstream-unavailable", 502),
  UPSTREAM_FAILED("upstream-failed", 502),
  IDP_UNAVAILABLE("idp-unavailable", 503),
  AUDIT_UNAVAILABLE("audit-unavailable", 503),
  SHUTTING_DOWN("shutting-down", 503),
  /** More client connections are open than {@code limits.maxConnections}. */
  TOO_MANY_CONNECTIONS("too-many-connections", 503),
  /** The upstream's circuit breaker is open: it failed repeatedly, so requests are not piled onto it. */
  UPSTREAM_CIRCUIT_OPEN("upstream-circuit-open", 503),
  UPSTREAM_TIMEOUT("upstream-timeout", 504),

  /** The client went away before the response was complete; nothing more could be sent. */
  CLIENT_ABORTED("client-aborted", 499);

  private final String code;
  private final int status;

  Reason(String code, int status) {
    this.code = code;
    this.status = status;
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  public Rejection reject(String detail) {
    return new Rejection(this, detail);
  }

  /**
   * The one "expected denial" exception: carries the reason and a short, non-sensitive detail that may be shown to
   * the client. Stackless, because it is control flow on the request path, not a bug.
   */
  public static final class Rejection extends RuntimeException {

    private final Reason reason;
    private final String detail;

    Rejection(Reason reason, String detail) {
      super(reason.code + ": " + detail, null, false, false);
      this.reason = reason;
      this.detail = detail;
    }

    public Reason reason() {
      return reason;
    }

    public String detail() {
      return detail;
    }
  }
}

package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.identity.OidcMetadata;
import dev.gatehouse.identity.PendingSignIn;
import dev.gatehouse.identity.Randoms;
import dev.gatehouse.identity.Session;
import dev.gatehouse.identity.SessionCodec;
import dev.gatehouse.identity.SessionRefresher;
import dev.gatehouse.identity.SignInStates;
import dev.gatehouse.identity.TrustedIssuer;
import dev.gatehouse.policy.Decision;
import dev.gatehouse.policy.PolicyCompiler;
import dev.gatehouse.policy.StepUp;
import dev.gatehouse.request.RequestTarget;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browser sign-in in the request pipeline: the OIDC authorization code flow with PKCE (S256), state and nonce, and the
 * encrypted session cookie it ends in. Tells a person's browser navigation from a script's request, authenticates
 * requests from the session cookie (refreshing the provider's tokens before they expire), sends navigations without a
 * valid session to the provider, sends a session without the MFA a route needs back to the provider to step up, and
 * shows a signed-in user who lacks permission a page instead of a redirect. {@link SignInEndpoints} completes sign-ins
 * at {@value #CALLBACK_PATH} and signs out at {@value #LOGOUT_PATH}.
 *
 * <p>Everything a sign-in needs to remember lives in the browser, sealed in cookies, so replicas stay stateless.
 */
final class BrowserSignIn {

  static final String CALLBACK_PATH = PolicyCompiler.RESERVED_PREFIX + "callback";
  static final String LOGOUT_PATH = PolicyCompiler.RESERVED_PREFIX + "logout";
  static final String SIGNED_OUT_PATH = PolicyCompiler.RESERVED_PREFIX + "signed-out";

  /** The session cookie is rewritten (sliding the idle lifetime) at most this often per session. */
  static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

  /**
   * A step-up sign-in for a route that completed this recently and still does not satisfy that route is not repeated:
   * the provider did not give the evidence the route wants, and sending the browser round again would loop.
   */
  static final Duration STEP_UP_LOOP_WINDOW = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(BrowserSignIn.class);

  private final GatewayConfig.Browser config;
  private final TrustedIssuer issuer;
  private final SessionCodec sessions;
  private final SignInStates signIns;
  private final SessionRefresher refresher;
  private final InstantSource clock;
  private final URI redirectUri;
  private final String publicHost;

  BrowserSignIn(GatewayConfig.Browser config, TrustedIssuer issuer, SessionCodec sessions, SignInStates signIns,
      SessionRefresher refresher, InstantSource clock) {
    this.config = config;
    this.issuer = issuer;
    this.sessions = sessions;
    this.signIns = signIns;
    this.refresher = refresher;
    this.clock = clock;
    this.redirectUri = URI.create(config.publicOrigin() + CALLBACK_PATH);
    this.publicHost = config.publicOrigin().getHost();
  }

  SessionRefresher refresher() {
    return refresher;
  }

  URI redirectUri() {
    return redirectUri;
  }

  /**
   * Whether the gateway answers this request as a person's browser navigation: a GET or HEAD for an HTML page (not
   * a script's fetch or XHR), for the host sign-in serves. Everything else gets status codes, never redirects.
   */
  boolean isNavigation(Exchange ex) {
    HttpServerRequest request = ex.request;
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      return false;
    }
    if (ex.host == null || !ex.host.equals(publicHost)) {
      return false;
    }
    String mode = request.getHeader("Sec-Fetch-Mode");
    if (mode != null && !mode.equalsIgnoreCase("navigate")) {
      return false;
    }
    if (request.getHeader("X-Requested-With") != null) {
      return false;
    }
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
  }

  // ---------------------------------------------------------------------------------------------- authentication

  /**
   * The session of the request's session cookie, refreshed if its tokens are about to expire; a rewritten cookie is
   * put on the response. Fails with {@code credential-missing} (no cookie), {@code session-invalid} (does not open:
   * the bad cookie is cleared) or {@code session-expired}.
   */
  Future<Session> authenticate(Exchange ex) {
    SessionCookies cookies = SessionCookies.of(ex.request.headers());
    String sealed = cookies.session();
    if (sealed == null) {
      return Future.failedFuture(Reason.CREDENTIAL_MISSING.reject("sign in, or send a bearer token"));
    }
    Session session;
    try {
      session = sessions.decode(sealed);
    } catch (Reason.Rejection r) {
      setCookies(ex, cookies.clearSession());
      return Future.failedFuture(r);
    }
    if (!refresher.due(session)) {
      return Future.succeededFuture(keep(ex, cookies, session, false));
    }
    return refresher.refresh(session).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(keep(ex, cookies, ar.result(), true));
      }
      if (ar.cause() instanceof Reason.Rejection r && r.reason() == Reason.IDP_UNAVAILABLE
          && !refresher.tokensExpired(session)) {
        // the provider is down but the tokens are still good: carry on, and try again on a later request
        return Future.succeededFuture(keep(ex, cookies, session, false));
      }
      if (ar.cause() instanceof Reason.Rejection r && r.reason() == Reason.SESSION_EXPIRED) {
        setCookies(ex, cookies.clearSession());
      }
      return Future.failedFuture(ar.cause());
    });
  }

  /** Slides the idle lifetime (rewriting the cookie at most every {@link #TOUCH_INTERVAL}) and keeps the session. */
  private Session keep(Exchange ex, SessionCookies cookies, Session session, boolean changed) {
    Instant now = clock.instant();
    Session kept = session;
    if (changed || !now.isBefore(session.touchedAt().plus(TOUCH_INTERVAL))) {
      kept = session.touched(now);
      try {
        setCookies(ex, cookies.storeSession(sessions.encode(kept), maxAge(kept, now)));
      } catch (Reason.Rejection r) {
        // a refreshed identity that no longer fits: keep the cookie the browser has, which still works until it expires
        LOG.warn("session {}: {}", session.id(), r.detail());
        kept = session;
      }
    }
    return kept;
  }

  Identity identity(Session session) {
    return session.identity(sessions.expiresAt(session));
  }

  /** The session cookie's Max-Age: until the session's absolute end. */
  Duration maxAge(Session session, Instant now) {
    return Duration.between(now, session.createdAt().plus(sessions.absoluteTimeout()));
  }

  // ---------------------------------------------------------------------------------------------- sending to sign in

  /**
   * Sends the browser to the provider to sign in, remembering (in the sign-in cookie) the state, nonce, PKCE verifier
   * and the path it asked for. {@code stepUp} asks for stronger or more recent authentication.
   */
  void startSignIn(Exchange ex, RequestTarget target, StepUp stepUp, Reason why, String detail) {
    startSignIn(ex, target, stepUp, null, why, detail);
  }

  private void startSignIn(Exchange ex, RequestTarget target, StepUp stepUp, String stepUpRoute, Reason why,
      String detail) {
    OidcMetadata meta = issuer.metadata();
    if (meta == null || meta.authorizationEndpoint() == null) {
      HtmlPages.send(ex, 503, Reason.IDP_UNAVAILABLE, "the identity provider's sign-in page is not known yet",
          "Sign-in is not available", HtmlPages.Line.text("The identity provider cannot be reached right now."),
          HtmlPages.Line.link("Please try again in a moment.", "Try again", "/"));
      return;
    }
    String returnTo = safeOrRoot(target.upstreamUri());
    Instant now = clock.instant();
    PendingSignIn pending = new PendingSignIn(Randoms.token(16), Randoms.token(16), Randoms.token(32), returnTo, now,
        stepUp == null ? null : stepUpRoute);
    SessionCookies cookies = SessionCookies.of(ex.request.headers());
    List<PendingSignIn> all = SignInStates.with(signIns.open(cookies.signIn()), pending);
    StringBuilder location = new StringBuilder(meta.authorizationEndpoint().toString())
        .append(meta.authorizationEndpoint().getRawQuery() == null ? '?' : '&')
        .append("response_type=code")
        .append("&client_id=").append(encode(config.clientId()))
        .append("&redirect_uri=").append(encode(redirectUri.toString()))
        .append("&scope=").append(encode(String.join(" ", config.scopes())))
        .append("&state=").append(pending.state())
        .append("&nonce=").append(pending.nonce())
        .append("&code_challenge=").append(Randoms.s256Challenge(pending.codeVerifier()))
        .append("&code_challenge_method=S256");
    if (stepUp != null) {
      if (!stepUp.acrValues().isEmpty()) {
        location.append("&acr_values=").append(encode(String.join(" ", stepUp.acrValues())));
      }
      if (stepUp.maxAge() != null) {
        location.append("&max_age=").append(stepUp.maxAge().toSeconds());
      }
      // a provider whose session is still alive would otherwise sign the user in again without asking anything
      location.append("&prompt=login");
    }
    ex.outcome(why, detail + (stepUp != null ? "; sent to the identity provider to step up" : "; sent to sign in"));
    List<String> setCookies = new ArrayList<>();
    setCookies.add(SessionCookies.storeSignIn(signIns.seal(all), SignInStates.LIFETIME));
    redirect(ex, location.toString(), setCookies);
  }

  /** A signed-in user whose session lacks the MFA a route needs: to the provider, unless that just failed. */
  void stepUp(Exchange ex, RequestTarget target, Session session, Decision decision) {
    Instant now = clock.instant();
    if (decision.routeId().equals(session.stepUpRoute()) && session.stepUpAt() != null
        && now.isBefore(session.stepUpAt().plus(STEP_UP_LOOP_WINDOW))) {
      HtmlPages.send(ex, 401, Reason.MFA_REQUIRED,
          decision.detail() + "; a step-up sign-in just now did not provide it",
          "Stronger sign-in needed",
          HtmlPages.Line.text("You are signed in as " + who(session) + "."),
          HtmlPages.Line.text("This page " + decision.detail() + ", and the identity provider did not confirm it when "
              + "you signed in again just now."),
          HtmlPages.Line.link("Sign in with your second factor, then", "try again", safeOrRoot(target.upstreamUri())),
          HtmlPages.Line.link("Or", "sign out", LOGOUT_PATH));
      return;
    }
    startSignIn(ex, target, decision.stepUp(), decision.routeId(), Reason.MFA_REQUIRED, decision.detail());
  }

  /** A signed-in user without permission: a page saying who they are and what the route needs. Never a redirect. */
  void denied(Exchange ex, Session session, Decision decision) {
    HtmlPages.send(ex, decision.reason().status(), decision.reason(), decision.detail(), "Access denied",
        HtmlPages.Line.text("You are signed in as " + who(session) + "."),
        HtmlPages.Line.text("This page " + decision.detail() + " (" + decision.reason().code() + ")"
            + (decision.rule() != null ? ", rule " + decision.rule() : "") + ", on route " + decision.routeId() + "."),
        HtmlPages.Line.text("Ask your administrator for access, and mention the request id below."),
        HtmlPages.Line.link("Signed in as the wrong user?", "Sign out", LOGOUT_PATH));
  }

  private static String safeOrRoot(String path) {
    return PendingSignIn.isSafeReturnPath(path) ? path : "/";
  }

  private static String who(Session session) {
    return session.email() != null ? session.email() + " (" + session.subject() + ")" : session.subject();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  static void setCookies(Exchange ex, List<String> values) {
    HttpServerResponse response = ex.request.response();
    if (!response.headWritten()) {
      for (String value : values) {
        response.headers().add(HttpHeaders.SET_COOKIE, value);
      }
    }
  }

  static void redirect(Exchange ex, String location, List<String> setCookies) {
    HttpServerResponse response = ex.request.response();
    if (response.headWritten() || ex.isFinished()) {
      response.reset();
      return;
    }
    setCookies(ex, setCookies);
    response.setStatusCode(302)
        .putHeader(HttpHeaders.LOCATION, location)
        .putHeader(HeaderNames.CACHE_CONTROL, HeaderNames.NO_STORE)
        .putHeader("Referrer-Policy", "no-referrer");
    if (!ex.request.isEnded()) {
      ex.request.resume();
    }
    response.end();
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

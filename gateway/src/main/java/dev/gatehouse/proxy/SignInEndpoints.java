package dev.gatehouse.proxy;

import dev.gatehouse.Reason;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.identity.IdTokenVerifier;
import dev.gatehouse.identity.OidcMetadata;
import dev.gatehouse.identity.PendingSignIn;
import dev.gatehouse.identity.Session;
import dev.gatehouse.identity.SessionCodec;
import dev.gatehouse.identity.SessionFactory;
import dev.gatehouse.identity.SignInStates;
import dev.gatehouse.identity.TokenEndpoint;
import dev.gatehouse.identity.TrustedIssuer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own sign-in pages: the callback the provider sends the browser back to (code exchange, ID token
 * checks, a new session), sign-out (RP-initiated logout at the provider) and the signed-out page. Each answer ends
 * the exchange, so each leaves one access event.
 */
final class SignInEndpoints {

  private static final Logger LOG = LoggerFactory.getLogger(SignInEndpoints.class);
  private static final Pattern OAUTH_ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final BrowserSignIn browser;
  private final GatewayConfig.Browser config;
  private final TrustedIssuer issuer;
  private final SessionCodec sessions;
  private final SignInStates signIns;
  private final SessionFactory factory;
  private final TokenEndpoint tokenEndpoint;
  private final IdTokenVerifier idTokens;
  private final InstantSource clock;

  BrowserSignIn browser() {
    return browser;
  }

  SignInEndpoints(BrowserSignIn browser, GatewayConfig.Browser config, TrustedIssuer issuer, SessionCodec sessions,
      SignInStates signIns, SessionFactory factory, TokenEndpoint tokenEndpoint, IdTokenVerifier idTokens,
      InstantSource clock) {
    this.browser = browser;
    this.config = config;
    this.issuer = issuer;
    this.sessions = sessions;
    this.signIns = signIns;
    this.factory = factory;
    this.tokenEndpoint = tokenEndpoint;
    this.idTokens = idTokens;
    this.clock = clock;
  }

  /**
   * {@value BrowserSignIn#CALLBACK_PATH}: the provider sends the browser back here with a code (or an error) and the
   * state.
   */
  void callback(Exchange ex) {
    HttpServerRequest request = ex.request;
    if (request.method() != HttpMethod.GET) {
      throw Reason.METHOD_NOT_ALLOWED.reject("this endpoint takes only GET requests");
    }
    SessionCookies cookies = SessionCookies.of(request.headers());
    List<PendingSignIn> pending = signIns.open(cookies.signIn());
    String state = single(request, "state");
    PendingSignIn signIn = SignInStates.find(pending, state);
    if (signIn == null) {
      signInFailed(ex, List.of(), "no sign-in of this browser has this state (expired, used, or started elsewhere)",
          "This sign-in link has expired, was already used, or was started in another browser.");
      return;
    }
    List<PendingSignIn> rest = new ArrayList<>(pending);
    rest.remove(signIn);
    List<String> setCookies = new ArrayList<>();
    setCookies.add(rest.isEmpty() ? SessionCookies.clearSignIn()
        : SessionCookies.storeSignIn(signIns.seal(rest), SignInStates.LIFETIME));
    String error = single(request, "error");
    if (error != null) {
      String code = OAUTH_ERROR_CODE.matcher(error).matches() ? error : "invalid";
      signInFailed(ex, setCookies, "the identity provider answered " + code,
          "The identity provider did not sign you in (" + code + ").");
      return;
    }
    String code = single(request, "code");
    if (code == null || code.isEmpty() || code.length() > 4096) {
      signInFailed(ex, setCookies, "the callback carries no authorization code", "The sign-in did not complete.");
      return;
    }
    // a GET has no body to keep: let its end arrive now, or HTTP/2 would reset the stream when the answer ends
    request.resume();
    Context context = Vertx.currentContext();
    Future<Session> signedIn = tokenEndpoint.exchangeCode(code, signIn.codeVerifier(), browser.redirectUri())
        .recover(e -> Future.failedFuture(e instanceof TokenEndpoint.Refused refused
            ? Reason.SIGN_IN_FAILED.reject("the provider did not accept the code: " + refused.getMessage())
            : Reason.IDP_UNAVAILABLE.reject("the identity provider's token endpoint failed: " + e.getMessage())))
        .compose(tokens -> idTokens.verify(tokens.idToken(), signIn.nonce())
            .map(claims -> factory.signedIn(claims, tokens, signIn.stepUpRoute())));
    // answer on the request's own event loop, whichever thread the provider's answer arrived on
    (context == null ? signedIn : Future.fromCompletionStage(signedIn.toCompletionStage(), context))
        .onComplete(ar -> {
          try {
            if (ar.failed()) {
              callbackFailed(ex, setCookies, ar.cause());
              return;
            }
            Session session = ar.result();
            ex.identity = browser.identity(session);
            setCookies.addAll(cookies.storeSession(sessions.encode(session),
                browser.maxAge(session, clock.instant())));
            ex.outcome(Reason.SIGNED_IN, "signed in" + (signIn.stepUpRoute() != null
                ? " with step-up for route " + signIn.stepUpRoute() : ""));
            // the return path was recorded by the gateway itself when it started this sign-in; checked again anyway
            String back = PendingSignIn.isSafeReturnPath(signIn.returnTo()) ? signIn.returnTo() : "/";
            BrowserSignIn.redirect(ex, back, setCookies);
          } catch (Reason.Rejection r) {
            callbackFailed(ex, setCookies, r);
          } catch (RuntimeException e) {
            LOG.error("request {}: sign-in failed unexpectedly", ex.requestId, e);
            callbackFailed(ex, setCookies, Reason.INTERNAL_ERROR.reject("internal error"));
          }
        });
  }

  private void callbackFailed(Exchange ex, List<String> setCookies, Throwable cause) {
    Reason.Rejection r = cause instanceof Reason.Rejection rejection ? rejection
        : Reason.INTERNAL_ERROR.reject("internal error");
    if (r.reason() != Reason.SIGN_IN_FAILED) {
      LOG.warn("request {}: sign-in failed: {}", ex.requestId, r.getMessage());
    }
    BrowserSignIn.setCookies(ex, setCookies);
    String what = switch (r.reason()) {
      case IDP_UNAVAILABLE -> "The identity provider cannot be reached right now.";
      case SESSION_TOO_LARGE -> "Your account has more groups or attributes than a browser session can hold. "
          + "Please tell your administrator.";
      default -> "The sign-in could not be completed.";
    };
    int status = r.reason() == Reason.SIGN_IN_FAILED ? 400 : r.reason().status();
    HtmlPages.send(ex, status, r.reason(), r.detail(), "Sign-in failed", HtmlPages.Line.text(what),
        HtmlPages.Line.link("You can", "start again", "/"));
  }

  private void signInFailed(Exchange ex, List<String> setCookies, String detail, String message) {
    BrowserSignIn.setCookies(ex, setCookies);
    HtmlPages.send(ex, 400, Reason.SIGN_IN_FAILED, detail, "Sign-in failed", HtmlPages.Line.text(message),
        HtmlPages.Line.link("You can", "start again", "/"));
  }

  /**
   * {@value BrowserSignIn#LOGOUT_PATH}: ends the session (clears its cookies) and, when the provider supports
   * RP-initiated logout, continues to its end-session endpoint, which returns the browser to
   * {@value BrowserSignIn#SIGNED_OUT_PATH}. When another site sent the browser here, the session stays and a page asks
   * the person to confirm with a button instead (a same-origin POST).
   */
  void logout(Exchange ex) {
    HttpMethod method = ex.request.method();
    if (method != HttpMethod.GET && method != HttpMethod.POST) {
      throw Reason.METHOD_NOT_ALLOWED.reject("this endpoint takes only GET and POST requests");
    }
    if (fromAnotherSite(ex.request, config.publicOrigin())) {
      HtmlPages.send(ex, 200, Reason.SIGN_OUT_CONFIRMATION, "sign-out requested from another site; asked to confirm",
          "Sign out?", HtmlPages.Line.text("Another site sent you here to sign you out."),
          HtmlPages.Line.button("If you want to sign out, press", "Sign out", BrowserSignIn.LOGOUT_PATH));
      return;
    }
    SessionCookies cookies = SessionCookies.of(ex.request.headers());
    String sealed = cookies.session();
    if (sealed != null) {
      try {
        ex.identity = browser.identity(sessions.decode(sealed));
      } catch (Reason.Rejection r) {
        // an invalid or expired session is cleared all the same
      }
    }
    List<String> setCookies = new ArrayList<>(cookies.clearSession());
    if (cookies.signIn() != null) {
      setCookies.add(SessionCookies.clearSignIn());
    }
    OidcMetadata meta = issuer.metadata();
    String signedOut = config.publicOrigin() + BrowserSignIn.SIGNED_OUT_PATH;
    String location = meta == null || meta.endSessionEndpoint() == null ? BrowserSignIn.SIGNED_OUT_PATH
        : meta.endSessionEndpoint() + (meta.endSessionEndpoint().getRawQuery() == null ? "?" : "&")
            + "client_id=" + BrowserSignIn.encode(config.clientId())
            + "&post_logout_redirect_uri=" + BrowserSignIn.encode(signedOut);
    ex.outcome(Reason.SIGNED_OUT, meta != null && meta.endSessionEndpoint() != null
        ? "signed out; sent to the identity provider's end-session endpoint" : "signed out");
    BrowserSignIn.redirect(ex, location, setCookies);
  }

  /**
   * Whether a browser says another site started this request: {@code Sec-Fetch-Site} other than same-origin or none
   * (typed, bookmarked), or, from a browser that does not send it, an {@code Origin} that is not the gateway's. A
   * request with neither is taken as it comes: scripts and curl send neither, and every current browser sends
   * {@code Sec-Fetch-Site}.
   */
  static boolean fromAnotherSite(HttpServerRequest request, URI publicOrigin) {
    String site = request.getHeader("Sec-Fetch-Site");
    if (site != null) {
      return !site.equals("same-origin") && !site.equals("none");
    }
    String origin = request.getHeader("Origin");
    return origin != null && !origin.equals(publicOrigin.toString());
  }

  /** {@value BrowserSignIn#SIGNED_OUT_PATH}: where the browser lands after signing out. */
  void signedOut(Exchange ex) {
    HttpMethod method = ex.request.method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      throw Reason.METHOD_NOT_ALLOWED.reject("this endpoint takes only GET and HEAD requests");
    }
    HtmlPages.send(ex, 200, Reason.PUBLIC_ROUTE, "signed-out page", "Signed out",
        HtmlPages.Line.text("You are signed out."), HtmlPages.Line.link("", "Sign in again", "/"));
  }

  /** The one value of a query parameter; null when absent, and a second copy makes it absent (never guess). */
  private static String single(HttpServerRequest request, String name) {
    List<String> values = request.params().getAll(name);
    return values.size() == 1 ? values.get(0) : null;
  }

}

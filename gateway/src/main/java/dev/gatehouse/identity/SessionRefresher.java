package dev.gatehouse.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes a session's tokens at the provider before they expire, so the user is not sent through the login page
 * again. Refreshes are coalesced per replica: requests of one session that arrive together (a page and its images)
 * share one call to the token endpoint, and a request still carrying the previous cookie shortly after the refresh
 * gets the same result instead of a second refresh (which a provider that rotates refresh tokens would refuse, logging
 * the user out). Entries are keyed by session id and refresh token, bounded in number and kept for
 * {@link #REUSE_WINDOW}. Across replicas each replica may refresh once; strict single refresh across replicas would
 * need sticky sessions or a shared store.
 */
public final class SessionRefresher {

  private static final Logger LOG = LoggerFactory.getLogger(SessionRefresher.class);

  static final Duration REUSE_WINDOW = Duration.ofMinutes(1);

  private final TokenEndpoint tokenEndpoint;
  private final IdTokenVerifier idTokens;
  private final SessionFactory sessions;
  private final InstantSource clock;
  private final Duration refreshBefore;
  private final Cache<String, Future<Session>> recent = Caffeine.newBuilder()
      .maximumSize(100_000)
      .expireAfterWrite(REUSE_WINDOW)
      .build();
  private final java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();

  public SessionRefresher(TokenEndpoint tokenEndpoint, IdTokenVerifier idTokens, SessionFactory sessions,
      InstantSource clock, Duration refreshBefore) {
    this.tokenEndpoint = tokenEndpoint;
    this.idTokens = idTokens;
    this.sessions = sessions;
    this.clock = clock;
    this.refreshBefore = refreshBefore;
  }

  /** Whether the session can refresh and its tokens expire within {@code refreshBefore}. */
  public boolean due(Session session) {
    return session.refreshToken() != null && session.tokensExpireAt() != null
        && !clock.instant().isBefore(session.tokensExpireAt().minus(refreshBefore));
  }

  /** Whether the session's tokens have expired (a failed refresh then cannot be ignored). */
  public boolean tokensExpired(Session session) {
    return session.tokensExpireAt() != null && !clock.instant().isBefore(session.tokensExpireAt());
  }

  /**
   * The refreshed session; completes on the caller's context. Fails with {@code session-expired} when the provider
   * refuses (the session is over) and {@code idp-unavailable} when it cannot be asked.
   */
  public Future<Session> refresh(Session session) {
    String key = session.id() + ' ' + TokenCache.digest(session.refreshToken());
    Future<Session> shared = recent.asMap().computeIfAbsent(key, k -> start(session));
    shared.onFailure(e -> recent.asMap().remove(key, shared));
    Context context = Vertx.currentContext();
    return context == null ? shared : Future.fromCompletionStage(shared.toCompletionStage(), context);
  }


  /** How many refreshes this replica has started (coalesced ones count once). */
  public long refreshesStarted() {
    return started.get();
  }

  private Future<Session> start(Session session) {
    started.incrementAndGet();
    return tokenEndpoint.refresh(session.refreshToken())
        .recover(e -> {
          if (e instanceof TokenEndpoint.Refused refused) {
            LOG.info("session {} of {}: the provider refused the refresh ({}); the session ends", session.id(),
                session.subject(), refused.getMessage());
            return Future.failedFuture(Reason.SESSION_EXPIRED.reject("the identity provider ended the session"));
          }
          LOG.warn("session {}: cannot refresh tokens: {}", session.id(), e.getMessage());
          return Future.failedFuture(Reason.IDP_UNAVAILABLE.reject("the identity provider cannot be reached"));
        })
        .compose(tokens -> {
          if (tokens.idToken() == null) {
            return Future.succeededFuture(sessions.refreshed(session, null, tokens));
          }
          return idTokens.verify(tokens.idToken(), null).map(claims -> {
            if (!session.subject().equals(claims.getSubject())) {
              throw Reason.SESSION_EXPIRED.reject("the refreshed ID token is for another user");
            }
            return sessions.refreshed(session, claims, tokens);
          }).recover(e -> Future.failedFuture(e instanceof Reason.Rejection r && r.reason() == Reason.SIGN_IN_FAILED
              ? Reason.SESSION_EXPIRED.reject("the refreshed ID token is not valid: " + r.detail()) : e));
        });
  }
}

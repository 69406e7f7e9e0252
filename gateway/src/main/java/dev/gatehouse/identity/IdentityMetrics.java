package dev.gatehouse.identity;

/** What the identity stage reports for metrics. Implementations must be cheap and thread-safe. */
public interface IdentityMetrics {

  IdentityMetrics NONE = new IdentityMetrics() {
    @Override
    public void token(String outcome) {}

    @Override
    public void jwksFetch(String issuerId, boolean succeeded) {}
  };

  /** A bearer token was judged: {@code verified}, {@code cached}, or the reason code it was refused with. */
  void token(String outcome);

  /** An issuer's JWKS was fetched, or the fetch failed. */
  void jwksFetch(String issuerId, boolean succeeded);
}

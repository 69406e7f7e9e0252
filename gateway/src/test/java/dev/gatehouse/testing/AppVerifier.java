package dev.gatehouse.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.InstantSource;
import java.util.Date;
import java.util.Set;

/**
 * Verifies the gateway's assertions the way an app behind it would, following the README: keys from the gateway's
 * JWKS fetched over HTTPS (trusting the test CA), Nimbus's standard processor, exact {@code typ}, {@code iss} and
 * {@code aud}. The JWKS is fetched for every verification, so a test sees the keys published at that moment.
 */
public final class AppVerifier {

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  /**
   * @param clock the app's clock, so that tests can age an assertion without sleeping
   * @param clockSkewSeconds the tolerance for {@code exp}
   */
  public AppVerifier(int gatewayPort, String issuer, String audience, InstantSource clock, int clockSkewSeconds) {
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.<SecurityContext>create(
              URI.create("https://localhost:" + gatewayPort + "/.gatehouse/jwks.json").toURL(),
              new DefaultResourceRetriever(5_000, 5_000, 64 * 1024, true,
                  RawHttps.trustingTestCa().getSocketFactory()))
          .cache(false).refreshAheadCache(false).rateLimited(false).retrying(false).build();
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("gatehouse-assertion+jwt")));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256), keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience,
        new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "iat", "exp", "jti")) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew(clockSkewSeconds);
    processor.setJWTClaimsSetVerifier(claims);
  }

  public JWTClaimsSet verify(String assertion) throws ParseException, BadJOSEException, JOSEException {
    return processor.process(assertion, null);
  }
}

package dev.gatehouse.tls;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The JCA providers the gateway uses beyond the JDK's own, each created once and never installed globally. */
public final class Providers {

  /**
   * BouncyCastle: reads encrypted PKCS#8 and PKCS#12 keys, and signs ES256 assertions (about six times faster than
   * Java 17's SunEC, which matters because every proxied request carries a fresh signature; see bench/RESULTS.md).
   */
  public static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private Providers() {}
}

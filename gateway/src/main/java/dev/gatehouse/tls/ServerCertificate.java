package dev.gatehouse.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A validated server certificate chain and its private key, ready for the TLS listener. Validation enforces the
 * security policy: the leaf key is RSA with at least {@value #MINIMUM_RSA_BITS} bits, the private key belongs to the
 * leaf, and the leaf is currently valid.
 */
public record ServerCertificate(List<X509Certificate> chain, PrivateKey key, String chainPem, String keyPem) {

  public static final int MINIMUM_RSA_BITS = 4096;

  public ServerCertificate {
    chain = List.copyOf(chain);
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** Loads and validates a PEM chain and an unencrypted key. Blocking. */
  public static ServerCertificate load(Path certificateFile, Path keyFile) throws TlsException {
    return load(certificateFile, keyFile, null);
  }

  /** Loads and validates a PEM chain and a key, decrypting it with {@code passphrase} if it is encrypted. Blocking. */
  public static ServerCertificate load(Path certificateFile, Path keyFile, char[] passphrase) throws TlsException {
    List<X509Certificate> chain = Pem.readCertificates(certificateFile);
    PrivateKey key = Pem.readPrivateKey(keyFile, passphrase);
    return of(chain, key, certificateFile.toString(), keyFile.toString());
  }

  /** Loads the certificate as configured (PEM or PKCS#12, with the passphrase if any). Blocking. */
  public static ServerCertificate load(dev.gatehouse.config.GatewayConfig.Tls tls) throws TlsException {
    char[] passphrase = tls.keyPassphrase() == null ? null : tls.keyPassphrase().chars();
    return tls.pkcs12() != null ? loadPkcs12(tls.pkcs12(), passphrase) : load(tls.certificate(), tls.key(), passphrase);
  }

  /** Loads and validates the key and chain of a PKCS#12 file. Blocking. */
  public static ServerCertificate loadPkcs12(Path file, char[] passphrase) throws TlsException {
    java.security.KeyStore.PrivateKeyEntry entry = Pem.readPkcs12(file, passphrase);
    List<X509Certificate> chain = new java.util.ArrayList<>();
    for (java.security.cert.Certificate c : entry.getCertificateChain()) {
      chain.add((X509Certificate) c);
    }
    return of(chain, entry.getPrivateKey(), file.toString(), file.toString());
  }

  static ServerCertificate of(List<X509Certificate> chain, PrivateKey key, String certificateName, String keyName)
      throws TlsException {
    X509Certificate leaf = chain.get(0);
    if (!(leaf.getPublicKey() instanceof RSAPublicKey rsa)) {
      throw new TlsException(certificateName + ": the server certificate's key is " + leaf.getPublicKey().getAlgorithm()
          + "; an RSA key of at least " + MINIMUM_RSA_BITS + " bits is required");
    }
    int bits = rsa.getModulus().bitLength();
    if (bits < MINIMUM_RSA_BITS) {
      throw new TlsException(certificateName + ": the server certificate's RSA key has " + bits
          + " bits; at least " + MINIMUM_RSA_BITS + " bits are required");
    }
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new TlsException(certificateName + ": the server certificate expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new TlsException(certificateName + ": the server certificate is not valid before " + leaf.getNotBefore().toInstant());
    }
    if (!belongsTo(key, leaf)) {
      throw new TlsException(keyName + ": the private key does not belong to the certificate in " + certificateName);
    }
    StringBuilder chainPem = new StringBuilder();
    for (X509Certificate c : chain) {
      chainPem.append(Pem.certificatePem(c));
    }
    return new ServerCertificate(chain, key, chainPem.toString(), Pem.privateKeyPem(key));
  }

  private static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
    if (!key.getAlgorithm().equals("RSA")) {
      return false;
    }
    try {
      byte[] probe = "gatehouse key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}

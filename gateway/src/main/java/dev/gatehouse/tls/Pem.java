package dev.gatehouse.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import java.security.KeyStore;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCSException;

/** Reads and writes PEM certificates and private keys. Blocking file I/O; call off the event loop. */
public final class Pem {

  /** For PEM decryption: the JDK has no AES/CBC/PKCS7Padding. */
  private static final java.security.Provider BC = Providers.BOUNCY_CASTLE;

  private Pem() {}

  public static List<X509Certificate> readCertificates(Path file) throws TlsException {
    byte[] bytes = read(file);
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : factory.generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new TlsException(file + ": no certificate found (expected: PEM 'BEGIN CERTIFICATE' blocks)");
      }
      return out;
    } catch (CertificateException e) {
      throw new TlsException(file + ": not a valid PEM certificate: " + e.getMessage(), e);
    }
  }

  /** Reads an unencrypted PEM private key in PKCS#8 or PKCS#1 (RSA) form. */
  public static PrivateKey readPrivateKey(Path file) throws TlsException {
    return readPrivateKey(file, null);
  }

  /**
   * Reads a private key: PKCS#8 or PKCS#1, plain or encrypted (an encrypted PKCS#8 PEM block, or a legacy
   * OpenSSL {@code Proc-Type: 4,ENCRYPTED} key) with {@code passphrase}.
   */
  public static PrivateKey readPrivateKey(Path file, char[] passphrase) throws TlsException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
        requirePassphrase(file, passphrase);
        try {
          return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(
              new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase)));
        } catch (PKCSException | OperatorCreationException e) {
          throw new TlsException(file + ": cannot decrypt the private key: wrong passphrase or unsupported encryption");
        }
      }
      if (object instanceof PEMEncryptedKeyPair encrypted) {
        requirePassphrase(file, passphrase);
        try {
          return converter.getKeyPair(encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(passphrase)))
              .getPrivate();
        } catch (IOException e) {
          throw new TlsException(file + ": cannot decrypt the private key: wrong passphrase or unsupported encryption");
        }
      }
      throw new TlsException(file + ": no private key found (expected: a PEM private key, PKCS#8 plain or encrypted, "
          + "or PKCS#1 RSA)");
    } catch (IOException e) {
      throw new TlsException(file + ": not a valid PEM private key: " + e.getMessage(), e);
    }
  }

  private static void requirePassphrase(Path file, char[] passphrase) throws TlsException {
    if (passphrase == null) {
      throw new TlsException(file + ": the private key is encrypted; configure tls.keyPassphrase (e.g. ${ENV_VAR} or "
          + "file:/run/secrets/...)");
    }
  }

  /** Reads the first private key entry of a PKCS#12 file and its certificate chain. */
  public static KeyStore.PrivateKeyEntry readPkcs12(Path file, char[] passphrase) throws TlsException {
    try (java.io.InputStream in = new ByteArrayInputStream(read(file))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, passphrase == null ? new char[0] : passphrase);
      for (String alias : java.util.Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          return (KeyStore.PrivateKeyEntry) store.getEntry(alias,
              new KeyStore.PasswordProtection(passphrase == null ? new char[0] : passphrase));
        }
      }
      throw new TlsException(file + ": the PKCS#12 file holds no private key");
    } catch (IOException e) {
      throw new TlsException(file + ": cannot open the PKCS#12 file: wrong passphrase or not a PKCS#12 file");
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException(file + ": cannot read the PKCS#12 file: " + e.getMessage(), e);
    }
  }

  public static String certificatePem(X509Certificate certificate) {
    try {
      return block("CERTIFICATE", certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("a parsed certificate re-encodes", e);
    }
  }

  public static String privateKeyPem(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] read(Path file) throws TlsException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TlsException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}

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
import org.bouncycastle.openssl.PEMEncryptedKeyPair;

/** Reads and writes PEM certificates and private keys. Blocking file I/O; call off the event loop. */
public final class Pem {

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

  /** Reads an unencrypted private key in PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) form. */
  public static PrivateKey readPrivateKey(Path file) throws TlsException {
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
      if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
        throw new TlsException(file + ": the private key is encrypted, and encrypted keys are not supported yet");
      }
      throw new TlsException(file + ": no private key found (expected: PEM 'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY')");
    } catch (IOException e) {
      throw new TlsException(file + ": not a valid PEM private key: " + e.getMessage(), e);
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

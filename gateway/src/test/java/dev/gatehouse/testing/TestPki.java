package dev.gatehouse.testing;

import dev.gatehouse.tls.DevCertificates;
import dev.gatehouse.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.List;

/**
 * Test certificates, generated once per build with the gateway's own development CA code (RSA-4096, like
 * production) and shared by every test class: a CA, a localhost server certificate, and a separate 2048-bit
 * CA and certificate that the gateway must refuse.
 */
public final class TestPki {

  private static final Path DIR = Path.of("target", "test-pki").toAbsolutePath();
  private static DevCertificates.Issued ca;
  private static DevCertificates.Issued server;
  private static DevCertificates.Issued weakServer;

  private TestPki() {}

  public static synchronized DevCertificates.Issued ca() {
    generate();
    return ca;
  }

  public static synchronized DevCertificates.Issued server() {
    generate();
    return server;
  }

  /** A localhost certificate with a 2048-bit RSA key, signed by its own 2048-bit CA. */
  public static synchronized DevCertificates.Issued weakServer() {
    generate();
    return weakServer;
  }

  /** A client certificate signed by the test CA. */
  public static synchronized DevCertificates.Issued client(String name) {
    try {
      return DevCertificates.in(DIR, 4096).client(name, name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate a test client certificate", e);
    }
  }

  /** A second localhost server certificate from the same CA (for certificate rotation tests). */
  public static synchronized DevCertificates.Issued rotatedServer() {
    try {
      return DevCertificates.in(DIR, 4096).server("server-rotated", List.of("localhost"), List.of("127.0.0.1"));
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  /** A client certificate from a CA the gateway does not trust. */
  public static synchronized DevCertificates.Issued foreignClient() {
    try {
      return DevCertificates.in(DIR.resolve("foreign"), 2048).client("intruder", "intruder");
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  /** Another CA and a server certificate under a directory of its own (for rotation tests). */
  public static synchronized DevCertificates.Issued otherServer(String name) {
    try {
      return DevCertificates.in(DIR.resolve(name), 4096).server("server", List.of("localhost"), List.of("127.0.0.1"));
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  public static Path directory() {
    return DIR;
  }

  /** The server key encrypted as PKCS#8 PEM (AES-256-CBC, PBKDF2) with {@code passphrase}. */
  public static synchronized Path encryptedServerKey(String passphrase) {
    try {
      Path file = DIR.resolve("server-encrypted-" + Integer.toHexString(passphrase.hashCode()) + ".key");
      if (!Files.exists(file)) {
        PrivateKey key = Pem.readPrivateKey(server().key());
        var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
            org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
            .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
            .setPassword(passphrase.toCharArray()).build();
        java.io.StringWriter text = new java.io.StringWriter();
        try (var writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(text)) {
          writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor));
        }
        Files.writeString(file, text.toString());
      }
      return file;
    } catch (Exception e) {
      throw new IllegalStateException("cannot encrypt the test key", e);
    }
  }

  /** The server certificate and key as a PKCS#12 file protected by {@code passphrase}. */
  public static synchronized Path serverPkcs12(String passphrase) {
    try {
      Path file = DIR.resolve("server-" + Integer.toHexString(passphrase.hashCode()) + ".p12");
      if (!Files.exists(file)) {
        try (var out = Files.newOutputStream(file)) {
          serverKeyStore(passphrase.toCharArray()).store(out, passphrase.toCharArray());
        }
      }
      return file;
    } catch (Exception e) {
      throw new IllegalStateException("cannot write the test PKCS#12 file", e);
    }
  }

  /** The server certificate and key as a PKCS#12 key store (for test servers that want one). */
  public static KeyStore serverKeyStore(char[] password) {
    try {
      PrivateKey key = Pem.readPrivateKey(server().key());
      List<java.security.cert.X509Certificate> chain = Pem.readCertificates(server().certificate());
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, password);
      store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      return store;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the test key store", e);
    }
  }

  private static void generate() {
    if (ca != null) {
      return;
    }
    try {
      Files.createDirectories(DIR);
      DevCertificates strong = DevCertificates.in(DIR, 4096);
      ca = strong.ca();
      server = strong.server("server", List.of("localhost"), List.of("127.0.0.1", "::1"));
      weakServer = DevCertificates.in(DIR.resolve("weak"), 2048).server("server", List.of("localhost"), List.of("127.0.0.1"));
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }
}

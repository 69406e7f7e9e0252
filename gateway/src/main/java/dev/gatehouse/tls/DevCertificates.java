package dev.gatehouse.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Development certificates: a local CA and certificates it signs, generated with BouncyCastle when missing.
 * For {@code gatehouse dev} and tests only; production certificates come from the operator's CA.
 */
public final class DevCertificates {

  /** A certificate with its key, as files. */
  public record Issued(Path certificate, Path key) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final int bits;

  private DevCertificates(Path directory, int bits) {
    this.directory = directory;
    this.bits = bits;
  }

  /** Certificates under {@code directory} with RSA keys of {@code bits} bits. */
  public static DevCertificates in(Path directory, int bits) {
    return new DevCertificates(directory, bits);
  }

  /** The CA ({@code ca.crt}, {@code ca.key}), generated when missing. */
  public Issued ca() throws IOException, GeneralSecurityException {
    Issued ca = new Issued(directory.resolve("ca.crt"), directory.resolve("ca.key"));
    if (Files.exists(ca.certificate()) && Files.exists(ca.key())) {
      return ca;
    }
    KeyPair keys = generate();
    X500Name name = new X500Name("CN=Gatehouse Development CA,O=Gatehouse dev");
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(3650))), name, keys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    write(ca, sign(builder, keys.getPrivate()), keys.getPrivate());
    return ca;
  }

  /**
   * A server certificate named {@code name} ({@code name.crt}, {@code name.key}) for the given DNS names and IP
   * addresses, signed by the CA; generated when missing.
   */
  public Issued server(String name, List<String> dnsNames, List<String> ipAddresses) throws IOException, GeneralSecurityException {
    return leaf(name, dnsNames.isEmpty() ? name : dnsNames.get(0), dnsNames, ipAddresses, KeyPurposeId.id_kp_serverAuth);
  }

  /** A TLS client certificate with common name {@code commonName}; generated when missing. */
  public Issued client(String name, String commonName) throws IOException, GeneralSecurityException {
    return leaf(name, commonName, List.of(), List.of(), KeyPurposeId.id_kp_clientAuth);
  }

  private Issued leaf(String name, String commonName, List<String> dnsNames, List<String> ipAddresses, KeyPurposeId purpose)
      throws IOException, GeneralSecurityException {
    Issued issued = new Issued(directory.resolve(name + ".crt"), directory.resolve(name + ".key"));
    if (Files.exists(issued.certificate()) && Files.exists(issued.key())) {
      return issued;
    }
    Issued ca = ca();
    X509Certificate caCert;
    PrivateKey caKey;
    try {
      caCert = Pem.readCertificates(ca.certificate()).get(0);
      caKey = Pem.readPrivateKey(ca.key());
    } catch (TlsException e) {
      throw new IOException(e.getMessage(), e);
    }
    KeyPair keys = generate();
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(397))),
        new X500Name("CN=" + commonName + ",O=Gatehouse dev"), keys.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
    List<GeneralName> names = new ArrayList<>();
    for (String dns : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (String ip : ipAddresses) {
      names.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress()));
    }
    if (!names.isEmpty()) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
    }
    write(issued, sign(builder, caKey), keys.getPrivate());
    return issued;
  }

  private KeyPair generate() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(bits, RANDOM);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the certificate", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(96, RANDOM);
  }

  /** Writes key then certificate atomically; the key is readable by its owner only. */
  private void write(Issued issued, X509Certificate certificate, PrivateKey key) throws IOException {
    Files.createDirectories(directory);
    writeAtomically(issued.key(), Pem.privateKeyPem(key), true);
    writeAtomically(issued.certificate(), Pem.certificatePem(certificate), false);
  }

  private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      if (secret) {
        try {
          Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system; the file keeps the platform default
        }
      }
      Files.writeString(temp, content, StandardCharsets.US_ASCII);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}

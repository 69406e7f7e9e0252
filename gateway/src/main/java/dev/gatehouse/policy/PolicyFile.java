package dev.gatehouse.policy;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** One policy file as read from disk, with the SHA-256 of its bytes (reported in reload audit events). */
public record PolicyFile(Path path, String name, byte[] content, String sha256) {

  public PolicyFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(name, "name");
    content = content.clone();
  }

  public static PolicyFile of(Path path, String name, byte[] content) {
    return new PolicyFile(path, name, content, sha256(content));
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyFile other && other.path.equals(path) && other.sha256.equals(sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, sha256);
  }

  @Override
  public String toString() {
    return name + " (" + sha256.substring(0, 12) + ")";
  }
}

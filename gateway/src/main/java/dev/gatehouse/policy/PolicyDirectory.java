package dev.gatehouse.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the policy files of a directory: every {@code *.yaml} and {@code *.yml} directly inside it, in name order,
 * following symbolic links (Kubernetes mounts ConfigMap entries as links into a hidden {@code ..data} directory,
 * which is skipped like every hidden entry). Blocking: call from a worker thread or before the server starts.
 */
public final class PolicyDirectory {

  private PolicyDirectory() {}

  public static List<PolicyFile> read(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new IOException(directory + " is not a directory");
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      entries.filter(PolicyDirectory::isPolicyFile).forEach(paths::add);
    }
    paths.sort(null);
    List<PolicyFile> files = new ArrayList<>();
    for (Path p : paths) {
      files.add(PolicyFile.of(p, p.getFileName().toString(), Files.readAllBytes(p)));
    }
    return files;
  }

  /**
   * A cheap summary that changes whenever a policy file is added, removed, replaced or modified: names, sizes,
   * modification times and file identities, following symbolic links (so a ConfigMap's atomic swap shows).
   */
  public static String fingerprint(Path directory) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      entries.filter(PolicyDirectory::isPolicyFile).forEach(paths::add);
    }
    paths.sort(null);
    StringBuilder sb = new StringBuilder();
    for (Path p : paths) {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      sb.append(p.getFileName()).append('|').append(a.size()).append('|').append(a.lastModifiedTime().toInstant())
          .append('|').append(a.fileKey()).append('\n');
    }
    return sb.toString();
  }

  private static boolean isPolicyFile(Path p) {
    String name = p.getFileName().toString();
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p);
  }
}

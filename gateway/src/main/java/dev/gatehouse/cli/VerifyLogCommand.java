package dev.gatehouse.cli;

import dev.gatehouse.audit.ChainKey;
import dev.gatehouse.audit.ChainVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify-log", mixinStandardHelpOptions = true,
    description = {"Check the hash chain of event log files: every event's hash, every link between events and "
        + "between files. Files may be given in any order (they are checked in the order of their events).",
        "Prints the first event that was modified, removed, inserted or reordered, or the file that is missing or "
            + "from another log.",
        "Exit codes: 0 intact, 1 the chain is broken, 2 cannot read a file or the key."})
final class VerifyLogCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "event log files, e.g. /var/log/gatehouse/access.log*")
  List<Path> files;

  @Option(names = "--key-file", paramLabel = "FILE", description = "the HMAC key of a keyed chain (accessLog.hmacKeyFile)")
  Path keyFile;

  @Override
  public Integer call() {
    ChainKey key;
    try {
      key = keyFile == null ? null : ChainKey.fromFile(keyFile);
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("gatehouse: cannot read the key: " + e.getMessage());
      return 2;
    }
    ChainVerifier.Report report;
    try {
      report = ChainVerifier.verify(files, key);
    } catch (IOException e) {
      System.err.println("gatehouse: cannot read the log: " + e);
      return 2;
    }
    if (!report.order().equals(files)) {
      System.out.println("checked in chain order: " + String.join(" ", report.order().stream().map(Path::toString).toList()));
    }
    report.notes().forEach(note -> System.out.println("note: " + note));
    if (!report.intact()) {
      System.err.println(report.problem());
      System.err.println("the log was tampered with or damaged: verification stopped at the first problem");
      return 1;
    }
    System.out.printf("intact: %d event(s), seq %d..%d, %s chain, %d file(s); last hash %s%n", report.events(),
        report.firstSeq(), report.lastSeq(), report.algorithm(), report.order().size(), report.lastHash());
    return 0;
  }
}

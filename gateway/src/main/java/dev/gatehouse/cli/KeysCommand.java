package dev.gatehouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.gatehouse.config.Quantities;
import dev.gatehouse.identity.KeyRing;
import dev.gatehouse.identity.KeyRingException;
import dev.gatehouse.identity.SigningKeyGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keys", mixinStandardHelpOptions = true,
    description = {"Manage the key files of the gateway: the keys that sign identity assertions (assertion.keys in "
        + "gatehouse.yaml) and the keys that encrypt session cookies (browser.session.cookieKeys)."},
    subcommands = {KeysCommand.Generate.class, CommandLine.HelpCommand.class})
final class KeysCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Generate a private signing key (a JWK with kid and nbf), or with --type session a 256-bit cookie key.",
          "Rotate signing keys by adding a key that signs from later on: it is published at once, so apps know it "
              + "before they see it.",
          "Rotate cookie keys by adding a key (it decrypts at once), and once every replica has it, adding the next "
              + "one with --first or moving it first: the first key encrypts.",
          "Exit codes: 0 done, 1 cannot read or write the key file, 2 invalid arguments."})
  static final class Generate implements Callable<Integer> {

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "signing",
        description = "signing (default): an assertion signing key; session: an AES-256 key for session cookies")
    String type;

    @Option(names = "--first", description = "with --type session and --add-to: put the new key first, so that it "
        + "encrypts at once (default: last, so that it only decrypts until it is moved first)")
    boolean first;

    @Option(names = "--alg", paramLabel = "ALG", defaultValue = "ES256", description = "ES256 (default) or RS256")
    String algorithm;

    @Option(names = "--not-before", paramLabel = "DURATION", defaultValue = "0s",
        description = "the key signs from this long after now, e.g. 1h (default: at once)")
    String notBefore;

    @ArgGroup(exclusive = true)
    Destination destination;

    static final class Destination {
      @Option(names = "--out", paramLabel = "FILE", description = "write a new key file holding just this key")
      Path out;

      @Option(names = "--add-to", paramLabel = "FILE", description = "add the key to an existing key file")
      Path addTo;
    }

    @Override
    public Integer call() {
      if (type.equals("session")) {
        return session();
      }
      if (!type.equals("signing")) {
        System.err.println("gatehouse: --type " + type + " (expected: signing or session)");
        return 2;
      }
      if (first) {
        System.err.println("gatehouse: --first is for --type session (signing keys are ordered by nbf)");
        return 2;
      }
      JWSAlgorithm alg = JWSAlgorithm.parse(algorithm.toUpperCase(Locale.ROOT));
      if (!JWSAlgorithm.ES256.equals(alg) && !JWSAlgorithm.RS256.equals(alg)) {
        System.err.println("gatehouse: --alg " + algorithm + " (expected: ES256 or RS256)");
        return 2;
      }
      Duration delay = Quantities.parseDuration(notBefore);
      if (delay == null || delay.isNegative()) {
        System.err.println("gatehouse: --not-before " + notBefore + " (expected: a duration such as 0s, 30m, 1h, 2d)");
        return 2;
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      JWK key = SigningKeyGenerator.generate(alg, now.plus(delay), now);
      ObjectMapper json = new ObjectMapper();
      try {
        if (destination != null && destination.addTo != null) {
          addTo(destination.addTo, key, json);
        } else if (destination != null && destination.out != null) {
          ObjectNode set = json.createObjectNode();
          set.putArray("keys").add(json.valueToTree(key.toJSONObject()));
          write(destination.out, json.writerWithDefaultPrettyPrinter().writeValueAsString(set), false);
        } else {
          ObjectNode set = json.createObjectNode();
          set.putArray("keys").add(json.valueToTree(key.toJSONObject()));
          System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(set));
        }
      } catch (FileAlreadyExistsException e) {
        System.err.println("gatehouse: " + e.getFile() + " exists; use --add-to to add a key to it");
        return 1;
      } catch (IOException | KeyRingException e) {
        System.err.println("gatehouse: " + e.getMessage());
        return 1;
      }
      System.err.println("gatehouse: key " + key.getKeyID() + " (" + alg + ") is published as soon as the gateways read "
          + "the file and signs from " + now.plus(delay));
      return 0;
    }

    private Integer session() {
      if (!algorithm.equals("ES256") || !notBefore.equals("0s")) {
        System.err.println("gatehouse: --alg and --not-before are for signing keys; a session key is a 256-bit AES key "
            + "that decrypts as soon as the gateways read it and encrypts once it is first");
        return 2;
      }
      if (first && (destination == null || destination.addTo == null)) {
        System.err.println("gatehouse: --first needs --add-to FILE");
        return 2;
      }
      JWK key = dev.gatehouse.identity.SessionKeys.newJwk();
      ObjectMapper json = new ObjectMapper();
      try {
        if (destination != null && destination.addTo != null) {
          byte[] content = Files.readAllBytes(destination.addTo);
          try {
            dev.gatehouse.identity.SessionKeys.parse(content);
          } catch (KeyRingException e) {
            throw new KeyRingException(destination.addTo + " is not a valid cookie key file, so it was left alone: "
                + e.getMessage());
          }
          ObjectNode set = (ObjectNode) json.readTree(content);
          ArrayNode keys = (ArrayNode) set.get("keys");
          if (first) {
            keys.insert(0, json.valueToTree(key.toJSONObject()));
          } else {
            keys.add(json.valueToTree(key.toJSONObject()));
          }
          write(destination.addTo, json.writerWithDefaultPrettyPrinter().writeValueAsString(set), true);
        } else {
          ObjectNode set = json.createObjectNode();
          set.putArray("keys").add(json.valueToTree(key.toJSONObject()));
          String text = json.writerWithDefaultPrettyPrinter().writeValueAsString(set);
          if (destination != null && destination.out != null) {
            write(destination.out, text, false);
          } else {
            System.out.println(text);
          }
        }
      } catch (FileAlreadyExistsException e) {
        System.err.println("gatehouse: " + e.getFile() + " exists; use --add-to to add a key to it");
        return 1;
      } catch (IOException | KeyRingException e) {
        System.err.println("gatehouse: " + e.getMessage());
        return 1;
      }
      System.err.println("gatehouse: cookie key " + key.getKeyID() + (destination != null && destination.addTo != null
          ? (first ? " encrypts" : " decrypts") + " as soon as the gateways read the file" : " written"));
      return 0;
    }

    /** Adds the key to a valid key file, replacing the file in one step (the gateway may read it at any moment). */
    private static void addTo(Path file, JWK key, ObjectMapper json) throws IOException, KeyRingException {
      byte[] content = Files.readAllBytes(file);
      try {
        KeyRing.parse(content);
      } catch (KeyRingException e) {
        throw new KeyRingException(file + " is not a valid key file, so it was left alone: " + e.getMessage());
      }
      ObjectNode set = (ObjectNode) json.readTree(content);
      JsonNode keys = set.get("keys");
      ((ArrayNode) keys).add(json.valueToTree(key.toJSONObject()));
      write(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(set), true);
    }

    /** Writes through a private temporary file and an atomic rename, so no reader ever sees half a file. */
    private static void write(Path file, String text, boolean replace) throws IOException {
      if (!replace && Files.exists(file)) {
        throw new FileAlreadyExistsException(file.toString());
      }
      Path dir = file.toAbsolutePath().getParent();
      Path tmp;
      try {
        tmp = Files.createTempFile(dir, ".gatehouse-keys-", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        tmp = Files.createTempFile(dir, ".gatehouse-keys-", ".tmp");
      }
      try {
        Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}

package dev.gatehouse.identity;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class KeysInForceTest {

  static final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  Path file;
  /** What the keys' {@link KeysInForce.Changes} heard, one line per call. */
  final List<String> heard = new CopyOnWriteArrayList<>();
  final Promise<String> applied = Promise.promise();

  final KeysInForce.Changes<String> recorder = new KeysInForce.Changes<>() {
    @Override
    public void applied(String before, String after) {
      heard.add("applied " + before + " -> " + after);
      applied.tryComplete(after);
    }

    @Override
    public void refused(String kept, String error) {
      heard.add("refused, keeping " + kept + ": " + error);
    }
  };

  @AfterAll
  static void closeVertx() {
    vertx.close();
  }

  @BeforeEach
  void keyFile() throws Exception {
    file = dir.resolve("keys.txt");
    write("keys: first");
  }

  void write(String content) throws Exception {
    Files.writeString(file, content);
  }

  /** Keys as text: a file must start with "keys:". */
  static String parse(byte[] content) throws KeyRingException {
    String text = new String(content, UTF_8);
    if (!text.startsWith("keys:")) {
      throw new KeyRingException("not a key list");
    }
    return text;
  }

  /** Keys from the file, started with a poll too rare to run during a test: reloads are the test's own. */
  KeysInForce<String> load() throws KeyRingException {
    KeysInForce<String> keys = KeysInForce.load(new KeysInForce.Source<>(file, KeysInForceTest::parse, "test keys",
        LoggerFactory.getLogger(KeysInForceTest.class)));
    keys.start(vertx, Duration.ofHours(1), recorder);
    return keys;
  }

  Throwable reloadError(KeysInForce<String> keys) {
    return catchThrowableOfType(Exception.class, () -> keys.reload(vertx).await(5, TimeUnit.SECONDS));
  }

  @Test
  void aChangedFileIsPutInForceAndAnUnchangedOneIsNot() throws Exception {
    KeysInForce<String> keys = load();

    assertThat(keys.current()).isEqualTo("keys: first");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    write("keys: second");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();

    assertThat(keys.current()).isEqualTo("keys: second");
    assertThat(heard).containsExactly("applied keys: first -> keys: second");
  }

  @Test
  void anUnusableFileIsRefusedWithItsNameAndTheKeysInForceStay() throws Exception {
    KeysInForce<String> keys = load();

    write("no keys here");
    Throwable invalid = reloadError(keys);
    Files.delete(file);
    Throwable missing = reloadError(keys);

    assertThat(invalid).isInstanceOf(KeyRingException.class).hasMessage(file + ": not a key list");
    assertThat(missing).isInstanceOf(KeyRingException.class)
        .hasMessageStartingWith(file + ": cannot read the key file: ");
    assertThat(keys.current()).isEqualTo("keys: first");
    assertThat(heard).containsExactly("refused, keeping keys: first: " + invalid.getMessage(),
        "refused, keeping keys: first: " + missing.getMessage());
  }

  @Test
  void theSameRefusalIsHeardOnceNotAtEveryReload() throws Exception {
    KeysInForce<String> keys = load();

    write("broken");
    reloadError(keys);
    Throwable again = reloadError(keys);

    assertThat(again).as("each reload still fails").isInstanceOf(KeyRingException.class);
    assertThat(heard).containsExactly("refused, keeping keys: first: " + file + ": not a key list");
  }

  @Test
  void aFileThatBecomesUsableAgainIsPutInForce() throws Exception {
    KeysInForce<String> keys = load();

    write("broken");
    assertThat(reloadError(keys)).isInstanceOf(KeyRingException.class);
    write("keys: first");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    write("keys: repaired");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isTrue();
    write("broken");
    assertThat(reloadError(keys)).isInstanceOf(KeyRingException.class);

    assertThat(keys.current()).isEqualTo("keys: repaired");
    assertThat(heard).as("a refusal after a good file is heard again").containsExactly(
        "refused, keeping keys: first: " + file + ": not a key list",
        "applied keys: first -> keys: repaired",
        "refused, keeping keys: repaired: " + file + ": not a key list");
  }

  @Test
  void aFileThatCannotBeUsedAtStartIsRefused() throws Exception {
    write("broken");

    KeyRingException e = catchThrowableOfType(KeyRingException.class, this::load);

    assertThat(e).hasMessage(file + ": not a key list");
  }

  @Test
  void thePollPutsAChangedFileInForceAndReportsEachPoll() throws Exception {
    KeysInForce<String> keys = KeysInForce.load(new KeysInForce.Source<>(file, KeysInForceTest::parse, "test keys",
        LoggerFactory.getLogger(KeysInForceTest.class)));
    Promise<String> polledAfterChange = Promise.promise();
    keys.start(vertx, Duration.ofMillis(10), new KeysInForce.Changes<>() {
      @Override
      public void applied(String before, String after) {
        recorder.applied(before, after);
      }

      @Override
      public void refused(String kept, String error) {
        recorder.refused(kept, error);
      }

      @Override
      public void polled(String current) {
        if (applied.future().isComplete()) {
          polledAfterChange.tryComplete(current);
        }
      }
    });
    try {
      // replaced in one step, so no poll reads a half-written file
      Path next = Files.writeString(dir.resolve("next.txt"), "keys: polled");
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

      assertThat(applied.future().await(5, TimeUnit.SECONDS)).isEqualTo("keys: polled");
      assertThat(polledAfterChange.future().await(5, TimeUnit.SECONDS)).isEqualTo("keys: polled");
      assertThat(keys.current()).isEqualTo("keys: polled");
      assertThat(heard).containsExactly("applied keys: first -> keys: polled");
    } finally {
      keys.stop(vertx);
    }
  }

  @Test
  void fixedKeysHaveNoFileAndNeverReload() throws Exception {
    KeysInForce<String> keys = KeysInForce.fixed("keys: generated");
    keys.start(vertx, Duration.ofMillis(10), recorder);
    keys.stop(vertx);

    assertThat(keys.file()).isNull();
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    assertThat(keys.current()).isEqualTo("keys: generated");
    assertThat(heard).isEmpty();
  }
}

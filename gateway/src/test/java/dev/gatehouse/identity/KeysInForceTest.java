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
import java.util.function.Consumer;
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
  final List<String> reloaded = new CopyOnWriteArrayList<>();

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

  KeysInForce<String> load(Consumer<String> onReload) throws KeyRingException {
    return KeysInForce.load(new KeysInForce.Source<>(file, KeysInForceTest::parse, "test keys",
        LoggerFactory.getLogger(KeysInForceTest.class), onReload));
  }

  Throwable reloadError(KeysInForce<String> keys) {
    return catchThrowableOfType(Exception.class, () -> keys.reload(vertx).await(5, TimeUnit.SECONDS));
  }

  @Test
  void aChangedFileIsPutInForceAndAnUnchangedOneIsNot() throws Exception {
    KeysInForce<String> keys = load(reloaded::add);

    assertThat(keys.current()).isEqualTo("keys: first");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    write("keys: second");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();

    assertThat(keys.current()).isEqualTo("keys: second");
    assertThat(reloaded).containsExactly("keys: second");
  }

  @Test
  void anUnusableFileIsRefusedWithItsNameAndTheKeysInForceStay() throws Exception {
    KeysInForce<String> keys = load(reloaded::add);

    write("no keys here");
    Throwable invalid = reloadError(keys);
    Files.delete(file);
    Throwable missing = reloadError(keys);

    assertThat(invalid).isInstanceOf(KeyRingException.class).hasMessage(file + ": not a key list");
    assertThat(missing).isInstanceOf(KeyRingException.class)
        .hasMessageStartingWith(file + ": cannot read the key file: ");
    assertThat(keys.current()).isEqualTo("keys: first");
    assertThat(reloaded).isEmpty();
  }

  @Test
  void aFileThatBecomesUsableAgainIsPutInForce() throws Exception {
    KeysInForce<String> keys = load(reloaded::add);

    write("broken");
    assertThat(reloadError(keys)).isInstanceOf(KeyRingException.class);
    write("keys: first");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    write("keys: repaired");
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(keys.current()).isEqualTo("keys: repaired");
  }

  @Test
  void aFileThatCannotBeUsedAtStartIsRefused() throws Exception {
    write("broken");

    KeyRingException e = catchThrowableOfType(KeyRingException.class, () -> load(reloaded::add));

    assertThat(e).hasMessage(file + ": not a key list");
  }

  @Test
  void thePollPutsAChangedFileInForce() throws Exception {
    Promise<String> change = Promise.promise();
    KeysInForce<String> keys = load(change::tryComplete);
    keys.start(vertx, Duration.ofMillis(10));
    try {
      // replaced in one step, so no poll reads a half-written file
      Path next = Files.writeString(dir.resolve("next.txt"), "keys: polled");
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

      assertThat(change.future().await(5, TimeUnit.SECONDS)).isEqualTo("keys: polled");
      assertThat(keys.current()).isEqualTo("keys: polled");
    } finally {
      keys.stop(vertx);
    }
  }

  @Test
  void fixedKeysHaveNoFileAndNeverReload() throws Exception {
    KeysInForce<String> keys = KeysInForce.fixed("keys: generated");
    keys.start(vertx, Duration.ofMillis(10));
    keys.stop(vertx);

    assertThat(keys.file()).isNull();
    assertThat(keys.reload(vertx).await(5, TimeUnit.SECONDS)).isFalse();
    assertThat(keys.current()).isEqualTo("keys: generated");
  }
}

package dev.gatehouse.policy;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy in force: one atomic reference to an immutable {@link CompiledPolicy}. A request reads it once and
 * uses that generation to the end; a reload replaces it whole.
 */
public final class PolicyStore {

  private final AtomicReference<CompiledPolicy> current;

  public PolicyStore(CompiledPolicy initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  public CompiledPolicy current() {
    return current.get();
  }

  /** Puts {@code next} in force and returns the generation it replaced. */
  public CompiledPolicy swap(CompiledPolicy next) {
    return current.getAndSet(Objects.requireNonNull(next, "next"));
  }
}

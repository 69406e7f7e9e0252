package dev.gatehouse.policy;

import dev.gatehouse.identity.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last few hundred requests that reached a decision (who, method, host, canonical path; never a token or a
 * header), kept so that a reload can replay them against the new policy and report which decisions would flip.
 * Lock-free and bounded: the newest sample overwrites the oldest.
 */
public final class RecentRequests {

  /** One remembered request; {@code identity} is null for an anonymous one. */
  public record Sample(Identity identity, String method, String host, String path) {}

  private final AtomicReferenceArray<Sample> ring;
  private final AtomicLong next = new AtomicLong();

  public RecentRequests(int capacity) {
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  public void add(Sample sample) {
    ring.set((int) (next.getAndIncrement() % ring.length()), sample);
  }

  public List<Sample> snapshot() {
    List<Sample> out = new ArrayList<>(ring.length());
    for (int i = 0; i < ring.length(); i++) {
      Sample s = ring.get(i);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }
}

package dev.gatehouse.policy;

import dev.gatehouse.audit.EventLog;
import dev.gatehouse.audit.PolicyReloadEvent;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigProblem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the policy in force up to date with the policy directory. Changes are found by polling a cheap fingerprint
 * of the directory and debounced (the directory must look the same on two consecutive polls, since editors and
 * ConfigMap updates write in steps); SIGHUP and the admin API ask for a reload directly.
 *
 * <p>One attempt runs at a time; a request that arrives during an attempt causes exactly one more attempt after it.
 * An attempt reads, compiles and tests the files on a worker thread, replays recent requests against the candidate,
 * and only then swaps it in whole. A refused candidate leaves the last good policy in force. Every attempt is an
 * audit event.
 */
public final class PolicyReloader {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

  private final Vertx vertx;
  private final Path directory;
  private final PolicyStore store;
  private final EventLog events;
  private final InstantSource clock;
  private final RecentRequests recent;
  private final Duration pollInterval;
  private final List<Consumer<ReloadResult>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<PolicyStatus> status;

  // attempt serialization, guarded by this
  private boolean running;
  private Promise<ReloadResult> next;
  private String nextTrigger;

  // polling state, touched only by the poll timer's context
  private String seenFingerprint;
  private String changedFingerprint;
  private boolean polling;
  private long timer = -1;

  public PolicyReloader(Vertx vertx, Path directory, PolicyStore store, EventLog events, InstantSource clock,
      RecentRequests recent, Duration pollInterval, String initialFingerprint) {
    this.vertx = vertx;
    this.directory = directory;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.recent = recent;
    this.pollInterval = pollInterval;
    this.seenFingerprint = initialFingerprint;
    this.status = new AtomicReference<>(PolicyStatus.initial(store.current()));
  }

  /** Starts watching the directory (unless the poll interval is zero). */
  public void start() {
    if (!pollInterval.isZero()) {
      timer = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Called with the result of every attempt, after an applied policy is in force. */
  public void onReload(Consumer<ReloadResult> listener) {
    listeners.add(listener);
  }

  public PolicyStatus status() {
    return status.get();
  }

  /** Asks for a reload; completes with the result of an attempt that started after this call. */
  public Future<ReloadResult> reload(String trigger) {
    synchronized (this) {
      if (running) {
        if (next == null) {
          next = Promise.promise();
          nextTrigger = trigger;
        } else if (!nextTrigger.contains(trigger)) {
          nextTrigger = nextTrigger + "+" + trigger;
        }
        return next.future();
      }
      running = true;
    }
    return attempt(trigger);
  }

  private Future<ReloadResult> attempt(String trigger) {
    Promise<ReloadResult> done = Promise.promise();
    long started = System.nanoTime();
    CompiledPolicy current = store.current();
    List<RecentRequests.Sample> samples = recent.snapshot();
    vertx.executeBlocking(() -> evaluate(current, samples), false).onComplete(ar -> {
      ReloadResult result = ar.succeeded() ? ar.result()
          : new ReloadResult.Rejected(current, List.of(problem("the reload failed: " + ar.cause())), List.of());
      if (result instanceof ReloadResult.Applied applied) {
        store.swap(applied.inForce());
      }
      long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      record(trigger, current, result, millis);
      for (Consumer<ReloadResult> listener : listeners) {
        try {
          listener.accept(result);
        } catch (RuntimeException e) {
          LOG.error("a policy listener failed", e);
        }
      }
      done.complete(result);
      Promise<ReloadResult> queued;
      String queuedTrigger;
      synchronized (this) {
        queued = next;
        queuedTrigger = nextTrigger;
        next = null;
        running = queued != null;
      }
      if (queued != null) {
        attempt(queuedTrigger).onComplete(queued);
      }
    });
    return done.future();
  }

  /** Blocking: reads, compiles, tests and compares the candidate. Never swaps. */
  private ReloadResult evaluate(CompiledPolicy current, List<RecentRequests.Sample> samples) {
    Instant now = clock.instant();
    List<PolicyFile> files;
    try {
      files = PolicyDirectory.read(directory);
    } catch (IOException e) {
      return new ReloadResult.Rejected(current, List.of(problem("cannot read the policy directory: " + e.getMessage())),
          List.of());
    }
    CompiledPolicy candidate;
    try {
      candidate = PolicyLoader.check(files, now);
    } catch (ConfigException e) {
      return new ReloadResult.Rejected(current, e.problems(), files);
    }
    if (candidate.version().equals(current.version())) {
      return new ReloadResult.Unchanged(current);
    }
    return new ReloadResult.Applied(candidate, current, RouteChanges.between(current, candidate),
        DecisionChanges.replay(samples, current, candidate, now));
  }

  private ConfigProblem problem(String message) {
    return new ConfigProblem(directory, 1, 1, "", message);
  }

  private void record(String trigger, CompiledPolicy before, ReloadResult result, long millis) {
    PolicyStatus old = status.get();
    CompiledPolicy inForce = result.inForce();
    Instant now = clock.instant();
    List<String> errors = new ArrayList<>();
    String outcome = result.outcome();
    String candidateVersion = null;
    List<PolicyFile> files = inForce.files();
    RouteChanges changes = new RouteChanges(List.of(), List.of(), List.of());
    DecisionChanges decisions = new DecisionChanges(0, 0, List.of());
    if (result instanceof ReloadResult.Applied a) {
      candidateVersion = a.inForce().version();
      changes = a.changes();
      decisions = a.decisions();
      LOG.info("policy {} applied ({}), replacing {}: routes added {}, removed {}, changed {}; {} of {} recent decisions change",
          a.inForce().version(), trigger, before.version(), changes.added(), changes.removed(), changes.changed(),
          decisions.flipped(), decisions.replayed());
    } else if (result instanceof ReloadResult.Rejected r) {
      files = r.candidateFiles();
      candidateVersion = files.isEmpty() ? null : PolicyCompiler.version(files);
      r.problems().forEach(p -> errors.add(p.toString()));
      LOG.error("policy reload ({}) refused; policy {} stays in force:\n{}", trigger, inForce.version(), String.join("\n", errors));
    } else {
      candidateVersion = inForce.version();
    }
    status.set(new PolicyStatus(inForce.version(), inForce.loadedAt(), inForce.files(), now, outcome, errors,
        old.applied() + (outcome.equals("applied") ? 1 : 0), old.rejected() + (outcome.equals("rejected") ? 1 : 0)));
    events.record(new PolicyReloadEvent(now, trigger, outcome, inForce.version(), before.version(), candidateVersion,
        files.stream().map(f -> new PolicyReloadEvent.FileDigest(f.name(), f.sha256())).toList(),
        changes.added(), changes.removed(), changes.changed(), decisions.replayed(), decisions.flipped(),
        decisions.examples().stream().map(f -> new PolicyReloadEvent.Flip(f.subject(), f.method(), f.host(), f.path(),
            f.before(), f.after())).toList(),
        errors, millis));
  }

  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    vertx.executeBlocking(() -> PolicyDirectory.fingerprint(directory), false).onComplete(ar -> {
      polling = false;
      String fingerprint = ar.succeeded() ? ar.result() : "unreadable: " + ar.cause().getMessage();
      if (fingerprint.equals(seenFingerprint)) {
        changedFingerprint = null;
      } else if (fingerprint.equals(changedFingerprint)) {
        // unchanged since the last poll: the writer has finished
        seenFingerprint = fingerprint;
        changedFingerprint = null;
        reload("file-change");
      } else {
        changedFingerprint = fingerprint;
      }
    });
  }
}

package com.paysvc.auth.password;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * argon2id hashing and verification on a worker pool of its own, never on an event loop. The pool has one thread
 * per core by default: the work is pure CPU, so more threads only add memory (m KiB each) and latency. At most
 * {@code maxPending} operations (running + queued) are admitted; beyond that a request is shed at once with 429
 * and {@code Retry-After: 1}, so a login flood neither queues without bound nor delays the event loops' other work
 * by more than the pool's share of the CPU.
 *
 * <p>An unknown account is verified against a dummy hash of the same parameters, so "no such user" and "wrong
 * password" cost the same time.
 *
 * <p>Each pool thread keeps its argon2 working memory (m KiB in 1 KiB blocks, cleared before and after each use)
 * instead of allocating it per hash: 19 MiB of short-lived blocks per login, live for the whole hash, were promoted
 * by the young collections and filled the old generation — under a login load the service spent about half its
 * time in full collections.
 */
public final class PasswordHasher {
  /** Outcome of a verification: match, and whether the stored hash should be replaced (older parameters). */
  public record Verification(boolean matches, boolean needsRehash) {
  }

  private final WorkerExecutor pool;
  private final Argon2id.Params params;
  private final ThreadLocal<Argon2BytesGenerator.BlockPool> memory;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter shed;
  private final Timer timer;
  private volatile Argon2id.Stored dummy;

  public PasswordHasher(Vertx vertx, Argon2id.Params params, int threads, int maxPending, MeterRegistry registry) {
    // maxExecuteTime: one hash takes ~45 ms at OWASP's parameters here; 10 s means something is badly wrong.
    this.pool = vertx.createSharedWorkerExecutor("argon2id", threads, 10, TimeUnit.SECONDS);
    this.params = params;
    // One block per KiB of the current parameters; a hash of other parameters allocates what it needs beyond that.
    this.memory = ThreadLocal.withInitial(() -> new Argon2BytesGenerator.FixedBlockPool(params.memoryKib()));
    this.maxPending = maxPending;
    this.shed = Counter.builder("paysvc_auth_password_hash_shed")
      .description("password operations refused because the hashing pool was saturated").register(registry);
    this.timer = Timer.builder("paysvc_auth_password_hash").description("argon2id hash/verify time on the worker")
      .publishPercentiles(0.5, 0.99).register(registry);
    Gauge.builder("paysvc_auth_password_hash_pending", pending, AtomicInteger::get)
      .description("argon2id operations running or queued").register(registry);
  }

  /** Computes the dummy hash (one argon2id run, on the pool). Call once before serving logins. */
  public Future<Void> start() {
    return pool.executeBlocking(() -> Argon2id.parse(Argon2id.hash("paysvc-dummy-password", params, memory.get())), false)
      .onSuccess(d -> dummy = d)
      .mapEmpty();
  }

  public Argon2id.Params params() {
    return params;
  }

  /** A PHC string for {@code password} with the current parameters. */
  public Future<String> hash(String password) {
    return submit(() -> Argon2id.hash(password, params, memory.get()));
  }

  /**
   * Checks {@code password} against {@code phc}; a null or unreadable {@code phc} (unknown user, no credentials) is
   * checked against the dummy hash and never matches.
   */
  public Future<Verification> verify(String phc, String password) {
    return submit(() -> {
      Argon2id.Stored stored = null;
      if (phc != null) {
        try {
          stored = Argon2id.parse(phc);
        } catch (IllegalArgumentException e) {
          stored = null;
        }
      }
      if (stored == null) {
        Argon2id.verify(dummy, password, memory.get());
        return new Verification(false, false);
      }
      boolean ok = Argon2id.verify(stored, password, memory.get());
      return new Verification(ok, ok && !stored.params().equals(params));
    });
  }

  private <T> Future<T> submit(java.util.concurrent.Callable<T> work) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      shed.increment();
      return Future.failedFuture(new ApiException(ErrorCode.RATE_LIMITED, "too many logins in progress, retry shortly",
        new JsonObject().put("retry_after_seconds", 1)));
    }
    // ordered=false: operations of one event loop need not wait for each other.
    return pool.executeBlocking(() -> {
        long t0 = System.nanoTime();
        try {
          return work.call();
        } finally {
          timer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
      }, false)
      .onComplete(ar -> pending.decrementAndGet());
  }

  public Future<Void> close() {
    return pool.close();
  }
}

package com.paysvc.auth.password;

import com.paysvc.common.launch.ServiceCommand;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code java -jar auth.jar argon2-bench [--threads N] [--seconds S] [--memory-kib M --iterations T --parallelism P]}:
 * times one argon2id verification with exactly the code a login runs ({@link Argon2id#verify} on a thread's reused
 * working memory, as {@link PasswordHasher} does), on N threads at once (default: one per core), for S seconds after
 * a warm-up of 2 s. Prints one JSON line: the parameters, the mean and median time of one verification, and
 * {@code limit_per_second} = N / mean — what the machine can verify at most, the limit of logins (bin/bench).
 * The parameters default to auth's (OWASP's m = 19 MiB, t = 2, p = 1).
 */
public final class Argon2Bench implements ServiceCommand {
  @Override
  public String usage() {
    return "[--threads N] [--seconds S]   time one argon2id verification on each core (bin/bench)";
  }

  @Override
  public boolean needsService() {
    return false;
  }

  @Override
  public int run(Invocation inv) {
    int threads = Runtime.getRuntime().availableProcessors();
    double seconds = 3;
    Argon2id.Params p = Argon2id.OWASP;
    int m = p.memoryKib();
    int t = p.iterations();
    int lanes = p.parallelism();
    List<String> args = inv.args();
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        String v = i + 1 < args.size() ? args.get(++i) : null;
        if (v == null) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        switch (a) {
          case "--threads" -> threads = Integer.parseInt(v);
          case "--seconds" -> seconds = Double.parseDouble(v);
          case "--memory-kib" -> m = Integer.parseInt(v);
          case "--iterations" -> t = Integer.parseInt(v);
          case "--parallelism" -> lanes = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown argument " + a);
        }
      }
      if (threads < 1 || threads > 256 || seconds <= 0 || seconds > 600) {
        throw new IllegalArgumentException("--threads 1..256, --seconds up to 600");
      }
      p = new Argon2id.Params(m, t, lanes);
    } catch (IllegalArgumentException e) {
      inv.err().println("argon2-bench: " + e.getMessage() + " (usage: " + usage() + ")");
      return 2;
    }
    Argon2id.Stored stored = Argon2id.parse(Argon2id.hash("argon2-bench-password", p));
    long measureNanos = (long) (seconds * 1e9);
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<long[]>> runs = new ArrayList<>();
    Argon2id.Params params = p;
    for (int i = 0; i < threads; i++) {
      runs.add(pool.submit(() -> time(stored, params, start, measureNanos)));
    }
    List<Long> all = new ArrayList<>();
    try {
      for (Future<long[]> f : runs) {
        for (long n : f.get()) {
          all.add(n);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (ExecutionException e) {
      inv.err().println("argon2-bench: " + e.getCause());
      return 1;
    } finally {
      pool.shutdownNow();
    }
    long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
    double meanMs = Arrays.stream(sorted).average().orElse(0) / 1e6;
    double medianMs = sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6;
    inv.out().println(new JsonObject().put("memory_kib", p.memoryKib()).put("iterations", p.iterations())
      .put("parallelism", p.parallelism()).put("threads", threads).put("verifications", sorted.length)
      .put("mean_ms", meanMs).put("median_ms", medianMs).put("limit_per_second", threads * 1000 / meanMs).encode());
    return 0;
  }

  /** The JIT compiles BouncyCastle's argon2 loops within about a second here; measuring before that undercounts. */
  private static final long WARM_UP_NANOS = 2_000_000_000L;

  /** Warm-up (JIT), then the measured verifications' durations in nanoseconds. */
  private static long[] time(Argon2id.Stored stored, Argon2id.Params params, CyclicBarrier start, long measureNanos)
    throws Exception {
    Argon2BytesGenerator.BlockPool memory = new Argon2BytesGenerator.FixedBlockPool(params.memoryKib());
    start.await();
    long warmEnd = System.nanoTime() + WARM_UP_NANOS;
    while (System.nanoTime() < warmEnd) {
      Argon2id.verify(stored, "argon2-bench-password", memory);
    }
    long end = System.nanoTime() + measureNanos;
    long[] out = new long[1024];
    int n = 0;
    while (System.nanoTime() < end && n < out.length) {
      long t0 = System.nanoTime();
      if (!Argon2id.verify(stored, "argon2-bench-password", memory)) {
        throw new IllegalStateException("argon2id verification of its own hash failed");
      }
      out[n++] = System.nanoTime() - t0;
    }
    return Arrays.copyOf(out, n);
  }
}

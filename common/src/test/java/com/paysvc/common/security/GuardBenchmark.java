package com.paysvc.common.security;

import com.paysvc.testing.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;

/**
 * The JWT guard's cost per request once a token was seen: the remembered verification (Caffeine, by the token's
 * bytes) and the revocation check against the in-memory view, with {@code revocations} entries held. Needs the
 * stack's Redis only to bring the view live (bin/bench --jmh runs it with the stack up); no Redis call is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GuardBenchmark {
  @Param({"0", "100000"})
  public int revocations;

  private Vertx vertx;
  private JwtGuard guard;
  private RevocationView view;
  private String token;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    TestTokens tokens = await(TestTokens.start(vertx));
    RedisOptions options = new RedisOptions().setConnectionString("redis://127.0.0.1:6379/0")
      .setPassword(System.getenv().getOrDefault("REDIS_PASSWORD", ""));
    Redis redis = Redis.createClient(vertx, options);
    view = new RevocationView(vertx, Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1)), redis,
      new SimpleMeterRegistry()).start();
    guard = new JwtGuard(new Jwks(vertx, tokens.env().get("JWKS_URL"), TestTokens.ISSUER, TestTokens.AUDIENCE, 0, 600_000),
      redis, view, CircuitBreaker.create("bench", vertx, new CircuitBreakerOptions()), new SimpleMeterRegistry());
    if (!eventually(10_000, view::live)) {
      throw new IllegalStateException("the revocation view did not go live: is the stack's Redis up?");
    }
    long later = System.currentTimeMillis() + 3_600_000;
    for (int i = 0; i < revocations; i++) {
      view.add(JwtGuard.revokedKey(TestTokens.ISSUER, UUID.randomUUID().toString()), 1, later);
    }
    token = tokens.sign(tokens.claims("bench-" + UUID.randomUUID(), List.of("admin")).put("sid", UUID.randomUUID().toString()));
    // First sight: the ES256 verification (~1 ms), not measured.
    await(guard.authenticate(token, true));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    await(guard.close());
    await(vertx.close());
  }

  /** A read with a remembered token: both steps complete at once, so the future is already done. */
  @Benchmark
  public Caller rememberedTokenInMemoryRevocationCheck() {
    Future<Caller> f = guard.authenticate(token, true);
    if (!f.succeeded()) {
      throw new IllegalStateException("the guard did not answer from memory: " + f);
    }
    return f.result();
  }

  /** The same token as a new String each time, as each request's header is: its hash is computed again. */
  @Benchmark
  public Caller rememberedTokenFromAFreshHeaderString() {
    Future<Caller> f = guard.authenticate(new String(token.toCharArray()), true);
    if (!f.succeeded()) {
      throw new IllegalStateException("the guard did not answer from memory: " + f);
    }
    return f.result();
  }
}

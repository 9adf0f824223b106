package com.paysvc.common.concurrent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A time limit on a future that belongs to no context (a LoopRedis command's) fails on the caller's event loop. */
class TimeoutsTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** What {@code within} answered, and the thread its callback ran on. */
  private record Outcome(Object value, Throwable failure, Thread thread) {
  }

  private Outcome onLoop(Context ctx, java.util.function.Supplier<Future<String>> work) throws Exception {
    CompletableFuture<Outcome> seen = new CompletableFuture<>();
    ctx.runOnContext(v -> work.get().onComplete(ar -> seen.complete(new Outcome(ar.result(), ar.cause(), Thread.currentThread()))));
    return seen.get(10, TimeUnit.SECONDS);
  }

  @Test
  void anUnansweredFutureOfNoContextFailsOnTheCallersEventLoop() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<Thread> loop = new CompletableFuture<>();
    ctx.runOnContext(v -> loop.complete(Thread.currentThread()));
    Promise<String> never = Promise.promise();
    long start = System.nanoTime();
    Outcome o = onLoop(ctx, () -> Timeouts.within(never.future(), 100));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(o.failure() instanceof TimeoutException, "timed out: " + o.failure());
    assertSame(loop.get(), o.thread(), "the failure is handled on the caller's event loop");
    assertTrue(ms >= 90, "not before the limit: " + ms + " ms");
  }

  @Test
  void anAnswerWithinTheLimitPassesThroughAndAFailureStaysItself() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    Outcome ok = onLoop(ctx, () -> {
      Promise<String> answer = Promise.promise();
      vertx.setTimer(10, t -> answer.complete("pong"));
      return Timeouts.within(answer.future(), 1_000);
    });
    assertEquals("pong", ok.value());
    IllegalStateException boom = new IllegalStateException("boom");
    Outcome failed = onLoop(ctx, () -> {
      Promise<String> answer = Promise.promise();
      vertx.setTimer(10, t -> answer.fail(boom));
      return Timeouts.within(answer.future(), 1_000);
    });
    assertSame(boom, failed.failure());
  }
}

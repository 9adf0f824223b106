package com.paysvc.common.concurrent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class SharedFuturesTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() throws Exception {
    await(vertx.close(), 5);
  }

  @Test
  void aWaiterOnAnotherEventLoopGetsItsCallbackOnItsOwnThread() throws Exception {
    Context loader = eventLoopContext();
    Context waiter = eventLoopContext();
    String loaderThread = threadOf(loader);
    String waiterThread = threadOf(waiter);
    assertNotEquals(loaderThread, waiterThread, "precondition: two event loops");

    Promise<String> shared = Promise.promise();
    CompletableFuture<String> seen = new CompletableFuture<>();
    waiter.runOnContext(v -> SharedFutures.onCallerContext(shared.future())
      .onSuccess(value -> seen.complete(value + " on " + Thread.currentThread().getName()))
      .onFailure(seen::completeExceptionally));
    Thread.sleep(50);
    loader.runOnContext(v -> shared.complete("loaded"));
    assertEquals("loaded on " + waiterThread, seen.get(5, TimeUnit.SECONDS));
  }

  @Test
  void failuresPassThroughUnchanged() throws Exception {
    Context waiter = eventLoopContext();
    IllegalStateException boom = new IllegalStateException("boom");
    Promise<String> shared = Promise.promise();
    CompletableFuture<Throwable> seen = new CompletableFuture<>();
    waiter.runOnContext(v -> SharedFutures.onCallerContext(shared.future()).onFailure(seen::complete));
    Thread.sleep(50);
    shared.fail(boom);
    assertSame(boom, seen.get(5, TimeUnit.SECONDS));
  }

  @Test
  void outsideAContextTheSharedFutureItselfIsReturned() {
    Future<String> shared = Promise.<String>promise().future();
    assertSame(shared, SharedFutures.onCallerContext(shared));
  }

  /** A verticle's context: deployments take the event loops in turn. */
  private Context eventLoopContext() throws Exception {
    CompletableFuture<Context> ctx = new CompletableFuture<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        ctx.complete(context);
        return Future.succeededFuture();
      }
    });
    return ctx.get(5, TimeUnit.SECONDS);
  }

  private static String threadOf(Context ctx) throws Exception {
    CompletableFuture<String> name = new CompletableFuture<>();
    ctx.runOnContext(v -> name.complete(Thread.currentThread().getName()));
    return name.get(5, TimeUnit.SECONDS);
  }
}

package com.paysvc.testing;

import io.vertx.core.Future;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting from the test thread (never an event loop): for a Vert.x future, or for a condition to become true. */
public final class Await {
  private Await() {
  }

  /** The result of {@code future}, waiting at most 60 s; its failure is thrown as the cause of an IllegalStateException. */
  public static <T> T await(Future<T> future) {
    return await(future, 60);
  }

  /** The result of {@code future}, waiting at most {@code seconds}. */
  public static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code check} every 200 ms until it returns true or the timeout passes (a check that throws is "not yet"). */
  public static boolean eventually(long timeoutMs, BooleanSupplier check) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (check.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException ignored) {
        // not yet
      }
      Thread.sleep(200);
    }
    return check.getAsBoolean();
  }
}

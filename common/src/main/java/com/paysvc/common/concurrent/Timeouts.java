package com.paysvc.common.concurrent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Time limits on futures, kept on the caller's event loop. */
public final class Timeouts {
  private Timeouts() {
  }

  /**
   * {@code f}, or a failure with a {@link TimeoutException} when it is not complete within {@code ms}. The timer is
   * set on the caller's context. {@code Future.timeout} sets it on the future's own context, and a future of none (a
   * LoopRedis command: a held connection serves every request of its loop) gets Netty's GlobalEventExecutor instead: a
   * wake-up of that thread per call (27 µs of users' CPU per cache miss, async-profiler) and, on a timeout, the
   * caller's callbacks run on that thread, off its event loop. Outside a Vert.x context this is {@code Future.timeout}.
   */
  public static <T> Future<T> within(Future<T> f, long ms) {
    Context caller = Vertx.currentContext();
    if (f.isComplete()) {
      return f;
    }
    if (caller == null) {
      return f.timeout(ms, TimeUnit.MILLISECONDS);
    }
    Vertx vertx = caller.owner();
    Promise<T> limited = Promise.promise();
    long timer = vertx.setTimer(ms, t -> limited.tryFail(new TimeoutException("no answer within " + ms + " ms")));
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        limited.tryComplete(ar.result());
      } else {
        limited.tryFail(ar.cause());
      }
    });
    return limited.future();
  }
}

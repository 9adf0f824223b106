package com.paysvc.common.concurrent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/** Futures that requests of several event loops wait on together (single-flight loads, a shared key fetch). */
public final class SharedFutures {
  private SharedFutures() {
  }

  /**
   * A view of {@code shared} whose callbacks run on the calling context. A plain shared future runs every waiter's
   * callbacks on the thread that completed it, i.e. on another event loop, where they would go on to handle this
   * loop's requests. Outside a Vert.x context, or once complete, {@code shared} itself is returned.
   */
  public static <T> Future<T> onCallerContext(Future<T> shared) {
    Context caller = Vertx.currentContext();
    if (caller == null || shared.isComplete()) {
      return shared;
    }
    Promise<T> view = Promise.promise();
    shared.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        view.handle(ar);
      } else {
        caller.runOnContext(v -> view.handle(ar));
      }
    });
    return view.future();
  }
}

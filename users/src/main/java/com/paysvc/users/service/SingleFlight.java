package com.paysvc.users.service;

import com.paysvc.common.concurrent.SharedFutures;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Concurrent loads of one key share a single in-flight future (no stampede on a cold or just-invalidated key).
 * A load that started before a write of this process is not shared with requests arriving after it: they start
 * their own, so a client never receives data older than its own acknowledged write.
 */
final class SingleFlight<V> {
  private record InFlight<V>(long writeStamp, Future<V> future) {
  }

  private final ConcurrentHashMap<String, InFlight<V>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();

  void written() {
    writes.incrementAndGet();
  }

  int inFlight() {
    return inFlight.size();
  }

  Future<V> load(String key, Supplier<Future<V>> loader) {
    long stamp = writes.get();
    Promise<V> promise = Promise.promise();
    InFlight<V> mine = new InFlight<>(stamp, promise.future());
    InFlight<V> winner = inFlight.compute(key, (k, current) ->
      current != null && current.writeStamp() == stamp ? current : mine);
    if (winner != mine) {
      // The load may run on another event loop: this request's callbacks must still run on its own.
      return SharedFutures.onCallerContext(winner.future());
    }
    Future<V> loading;
    try {
      loading = loader.get();
    } catch (RuntimeException e) {
      loading = Future.failedFuture(e);
    }
    loading.onComplete(ar -> {
      inFlight.remove(key, mine);
      promise.handle(ar);
    });
    return promise.future();
  }
}

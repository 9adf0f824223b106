package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.UserCache;
import com.paysvc.users.store.UserCache.Fill;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Read-through caching. A hit is one Redis GET whose bytes are the answer. A miss is loaded once per key no
 * matter how many requests miss together (they share one in-flight future), from the replica; a row the replica
 * does not have yet (a user created a moment ago) or that was written within the freshness window is re-read
 * from the primary, so a client never sees an older state than the one its own write returned.
 */
public final class CachedReads {
  private final Db db;
  private final UserCache cache;
  private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Bumped by every write of this process: a load started before a write is not shared after it. */
  private final AtomicLong writes = new AtomicLong();

  private record InFlight(long writeStamp, Future<Buffer> future) {
  }

  public CachedReads(Db db, UserCache cache) {
    this.db = db;
    this.cache = cache;
  }

  public UserCache cache() {
    return cache;
  }

  /** Call when a write commits (before invalidating): later readers start their own load. */
  public void written() {
    writes.incrementAndGet();
  }

  /** A user detail under {@code key}; null when there is no such user. */
  public Future<Buffer> user(String key, Function<SqlClient, Future<Buffer>> query) {
    return cache.get(key).compose(hit -> hit != null ? Future.succeededFuture(hit)
      : once(key, () -> loadUser(key, query)));
  }

  /** A dictionary list under {@code key}. */
  public Future<Buffer> plain(String key, long ttlSeconds, Function<SqlClient, Future<Buffer>> query) {
    return cache.get(key).compose(hit -> hit != null ? Future.succeededFuture(hit)
      : once(key, () -> loadPlain(key, ttlSeconds, query)));
  }

  private Future<Buffer> loadUser(String key, Function<SqlClient, Future<Buffer>> query) {
    return cache.generation().compose(gen -> db.read(query).compose(body -> {
      if (body == null) {
        return db.readPrimary(query).compose(primary -> primary == null ? Future.succeededFuture(null)
          : cache.fillUser(gen, key, idOf(primary), primary, false).map(primary));
      }
      return cache.fillUser(gen, key, idOf(body), body, true).compose(fill -> fill != Fill.NEEDS_PRIMARY
        ? Future.succeededFuture(body)
        : db.readPrimary(query).compose(primary -> primary == null ? Future.succeededFuture(null)
          : cache.fillUser(gen, key, idOf(primary), primary, false).map(primary)));
    }));
  }

  private Future<Buffer> loadPlain(String key, long ttl, Function<SqlClient, Future<Buffer>> query) {
    return cache.generation().compose(gen -> db.read(query).compose(body ->
      cache.fillPlain(gen, key, body, ttl, true).compose(fill -> fill != Fill.NEEDS_PRIMARY
        ? Future.succeededFuture(body)
        : db.readPrimary(query).compose(primary -> cache.fillPlain(gen, key, primary, ttl, false).map(primary)))));
  }

  private Future<Buffer> once(String key, java.util.function.Supplier<Future<Buffer>> load) {
    long stamp = writes.get();
    InFlight current = inFlight.get(key);
    if (current != null && current.writeStamp() == stamp) {
      return current.future();
    }
    Promise<Buffer> promise = Promise.promise();
    InFlight mine = new InFlight(stamp, promise.future());
    InFlight previous = current == null ? inFlight.putIfAbsent(key, mine)
      : (inFlight.replace(key, current, mine) ? null : inFlight.get(key));
    if (previous != null && previous.writeStamp() == stamp) {
      return previous.future();
    }
    if (previous != null) {
      inFlight.put(key, mine);
    }
    load.get().onComplete(ar -> {
      inFlight.remove(key, mine);
      promise.handle(ar);
    });
    return promise.future();
  }

  static UUID idOf(Buffer userJson) {
    return UUID.fromString(new JsonObject(userJson).getString("id"));
  }
}

package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.AccountsStore.Lookup;
import com.paysvc.users.store.UserCache;
import com.paysvc.users.store.UserCache.Fill;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Read-through caching. A hit is one Redis GET whose bytes are the answer (or, empty, a cached 404). A miss is
 * loaded once per key no matter how many requests miss together (they share one in-flight future), from the
 * replica: one prepared call, then one fill script; a row the replica does not have yet (a user created a moment
 * ago) or that was written within the freshness window is re-read from the primary, so a client never sees an older
 * state than the one its own write returned. Only the primary's "no such user" is cached as a miss.
 */
public final class CachedReads {
  private final Db db;
  private final UserCache cache;
  private final SingleFlight<Buffer> flights = new SingleFlight<>();

  public CachedReads(Db db, UserCache cache) {
    this.db = db;
    this.cache = cache;
  }

  public UserCache cache() {
    return cache;
  }

  /** Call when a write commits (before invalidating): later readers start their own load. */
  public void written() {
    flights.written();
  }

  /** A user detail under {@code key}; null when there is no such user. */
  public Future<Buffer> user(String key, Function<SqlClient, Future<Lookup>> query) {
    return cache.get(key).compose(hit -> hit == null ? once(key, () -> loadUser(key, query))
      : Future.succeededFuture(UserCache.isUnknown(hit) ? null : hit));
  }

  /** A dictionary list under {@code key}. */
  public Future<Buffer> plain(String key, long ttlSeconds, Function<SqlClient, Future<Buffer>> query) {
    return cache.get(key).compose(hit -> hit != null ? Future.succeededFuture(hit)
      : once(key, () -> loadPlain(key, ttlSeconds, query)));
  }

  /**
   * Something of {@code userId} that is not cached (contacts, memberships): from the replica, unless the user was
   * written within the freshness window or the replica does not have it (yet); then from the primary.
   */
  public Future<Buffer> ofUser(UUID userId, Function<SqlClient, Future<Buffer>> query) {
    return cache.recentlyWritten(userId).compose(fresh -> fresh ? db.readPrimary(query) : replicaOrPrimary(query));
  }

  /** Like {@link #ofUser} when the user is only known from the row: {@code userIdOf} names it in the replica's answer. */
  public Future<Buffer> ownedBy(Function<Buffer, UUID> userIdOf, Function<SqlClient, Future<Buffer>> query) {
    return db.read(query).compose(body -> body == null ? db.readPrimary(query)
      : cache.recentlyWritten(userIdOf.apply(body)).compose(fresh -> fresh ? db.readPrimary(query) : Future.succeededFuture(body)));
  }

  private Future<Buffer> replicaOrPrimary(Function<SqlClient, Future<Buffer>> query) {
    return db.read(query).compose(body -> body != null ? Future.succeededFuture(body) : db.readPrimary(query));
  }

  private Future<Buffer> loadUser(String key, Function<SqlClient, Future<Lookup>> query) {
    return cache.generation().compose(gen -> db.read(query).compose(replica -> {
      if (!replica.found()) {
        return db.readPrimary(query).compose(primary -> fillFromPrimary(gen, key, primary));
      }
      return cache.fillUser(gen, key, replica.userId(), replica.detail(), true).compose(fill -> fill != Fill.NEEDS_PRIMARY
        ? Future.succeededFuture(replica.detail())
        : db.readPrimary(query).compose(primary -> fillFromPrimary(gen, key, primary)));
    }));
  }

  private Future<Buffer> fillFromPrimary(String gen, String key, Lookup primary) {
    return primary.found() ? cache.fillUser(gen, key, primary.userId(), primary.detail(), false).map(primary.detail())
      : cache.fillUnknown(gen, key, primary.unknownKey()).map((Buffer) null);
  }

  private Future<Buffer> loadPlain(String key, long ttl, Function<SqlClient, Future<Buffer>> query) {
    return cache.generation().compose(gen -> db.read(query).compose(body ->
      cache.fillPlain(gen, key, body, ttl, true).compose(fill -> fill != Fill.NEEDS_PRIMARY
        ? Future.succeededFuture(body)
        : db.readPrimary(query).compose(primary -> cache.fillPlain(gen, key, primary, ttl, false).map(primary)))));
  }

  private Future<Buffer> once(String key, Supplier<Future<Buffer>> load) {
    return flights.load(key, load);
  }

  static UUID idOf(Buffer userJson) {
    return UUID.fromString(new JsonObject(userJson).getString("id"));
  }
}

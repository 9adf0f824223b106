package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.AccountsStore.AsOf;
import com.paysvc.users.store.AccountsStore.Lookup;
import com.paysvc.users.store.CanonicalIdentifier;
import com.paysvc.users.store.Lsn;
import com.paysvc.users.store.UserCache;
import com.paysvc.users.store.UserCache.Fill;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;

import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Read-through caching. A hit is one Redis GET whose bytes are the answer (or, empty, a cached 404). A miss is
 * loaded once per key no matter how many requests miss together (they share one in-flight future), from the
 * replica: one prepared call, then one fill script; a row the replica does not have yet (a user created a moment
 * ago) or that misses the user's last write (the replica had not replayed that write's commit when it read the row;
 * the fill script compares the positions) is re-read from the primary, so a client never sees an older state than
 * the one its own write returned. Only the primary's "no such user" is cached as a miss.
 *
 * <p>By identifier, the entry is the canonical identifier's ({@link CanonicalIdentifier}): a spelling never adds an
 * entry. An answer is stored only where it holds for every spelling of the key: a UUID-shaped identifier that is no
 * user's id is looked up as a second_login spelled as given, so neither that user nor a 404 is cached under the
 * canonical UUID (one spelling's answer is not another's); such lookups, and identifiers whose canonical form is
 * undecided (non-ASCII with an {@code @}), read the database each time.
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

  /** A user detail under {@code key} (its id's); null when there is no such user, which is not cached. */
  public Future<Buffer> user(String key, Function<SqlClient, Future<Lookup>> query) {
    return cache.get(key).compose(hit -> hit == null ? once(key, () -> loadUser(key, query, Lookup::found))
      : Future.succeededFuture(UserCache.isUnknown(hit) ? null : hit));
  }

  /** A user by an identifier as sent (see the class comment); null when it names nobody. */
  public Future<Buffer> userByIdentifier(String identifier, Function<SqlClient, Future<Lookup>> query) {
    String canonical = CanonicalIdentifier.of(identifier);
    if (canonical == null) {
      return db.read(query).compose(replica -> replica.found() ? currentDetail(replica, query)
        : db.readPrimary(query).map(Lookup::detail));
    }
    String key = cache.identifierKey(canonical);
    return cache.get(key).compose(hit -> {
      if (hit != null) {
        return Future.succeededFuture(UserCache.isUnknown(hit) ? null : hit);
      }
      if (!CanonicalIdentifier.isUuid(canonical)) {
        return once(key, () -> loadUser(key, query, l -> l.found() || canonical.equals(l.unknownKey())));
      }
      // Only a user found by this id holds for every spelling; concurrent misses share a load only when spelled alike
      // (NUL never reaches a lookup, so this names no other key).
      UUID id = UUID.fromString(canonical);
      return once(identifier.equals(canonical) ? key : key + '\0' + identifier,
        () -> loadUser(key, query, l -> id.equals(l.userId())));
    });
  }

  /** A dictionary list under {@code key}. */
  public Future<Buffer> plain(String key, long ttlSeconds, Function<SqlClient, Future<AsOf>> query) {
    return cache.get(key).compose(hit -> hit != null ? Future.succeededFuture(hit)
      : once(key, () -> loadPlain(key, ttlSeconds, query)));
  }

  /**
   * Something of {@code userId} that is not cached (contacts, memberships): from the replica, unless the replica
   * does not have it (yet) or had not replayed the user's last write when it read it; then from the primary. The
   * write's position is read first: one GET, as the old "written recently" check was.
   */
  public Future<Buffer> ofUser(UUID userId, Function<SqlClient, Future<AsOf>> query) {
    return cache.writtenAt(userId).compose(written -> db.read(query).compose(replica ->
      replica.body() != null && current(replica, written) ? Future.succeededFuture(replica.body()) : primary(query)));
  }

  /** Like {@link #ofUser} when the user is only known from the row: {@code userIdOf} names it in the replica's answer. */
  public Future<Buffer> ownedBy(Function<Buffer, UUID> userIdOf, Function<SqlClient, Future<AsOf>> query) {
    return db.read(query).compose(replica -> replica.body() == null ? primary(query)
      : cache.writtenAt(userIdOf.apply(replica.body())).compose(written ->
        current(replica, written) ? Future.succeededFuture(replica.body()) : primary(query)));
  }

  /**
   * Whether a read includes the write at {@code written}: no such write known (none within the marker's life, or
   * Redis unavailable), read on a primary, or on a replica that had replayed past it.
   */
  private static boolean current(AsOf read, Lsn written) {
    return current(read.replayed(), written);
  }

  private static boolean current(Lsn replayed, Lsn written) {
    return written == null || replayed == null || replayed.reached(written);
  }

  private Future<Buffer> primary(Function<SqlClient, Future<AsOf>> query) {
    return db.readPrimary(query).map(AsOf::body);
  }

  /**
   * A miss: from the replica, else the primary; stored under {@code key} when {@code cacheable}. Replica data that is
   * not stored is checked against the user's last write here, as the fill script checks what it stores.
   */
  private Future<Buffer> loadUser(String key, Function<SqlClient, Future<Lookup>> query, Predicate<Lookup> cacheable) {
    return cache.generation().compose(gen -> db.read(query).compose(replica -> {
      // Also when the replica had not replayed a write of this instance that Redis has not heard of yet (no marker
      // for the fill script to check: Redis is unreachable, the invalidation waits for a replay).
      if (!replica.found() || !current(replica.replayed(), cache.pendingWrite(replica.userId()))) {
        return db.readPrimary(query).compose(primary -> fillFromPrimary(gen, key, primary, cacheable));
      }
      if (!cacheable.test(replica)) {
        return currentDetail(replica, query);
      }
      // replayed() is null when the read fell back to the primary: then the fill stores it as current.
      return cache.fillUser(gen, key, replica.userId(), replica.detail(), replica.replayed())
        .compose(fill -> fill != Fill.NEEDS_PRIMARY
          ? Future.succeededFuture(replica.detail())
          : db.readPrimary(query).compose(primary -> fillFromPrimary(gen, key, primary, cacheable)));
    }));
  }

  /** A found user from the replica, unless the replica had not replayed the user's last write: then the primary's. */
  private Future<Buffer> currentDetail(Lookup replica, Function<SqlClient, Future<Lookup>> query) {
    return cache.writtenAt(replica.userId()).compose(written -> current(replica.replayed(), written)
      ? Future.succeededFuture(replica.detail()) : db.readPrimary(query).map(Lookup::detail));
  }

  /** Primary data is current whatever the function reports (a primary reports no replay position anyway). */
  private Future<Buffer> fillFromPrimary(String gen, String key, Lookup primary, Predicate<Lookup> cacheable) {
    if (!cacheable.test(primary)) {
      return Future.succeededFuture(primary.detail());
    }
    return primary.found() ? cache.fillUser(gen, key, primary.userId(), primary.detail(), null).map(primary.detail())
      : cache.fillUnknown(gen, key).map((Buffer) null);
  }

  private Future<Buffer> loadPlain(String key, long ttl, Function<SqlClient, Future<AsOf>> query) {
    return cache.generation().compose(gen -> db.read(query).compose(replica -> !current(replica, cache.pendingWrite(key))
      ? primary(query).compose(body -> cache.fillPlain(gen, key, body, ttl, null).map(body))
      : cache.fillPlain(gen, key, replica.body(), ttl, replica.replayed()).compose(fill -> fill != Fill.NEEDS_PRIMARY
        ? Future.succeededFuture(replica.body())
        : primary(query).compose(body -> cache.fillPlain(gen, key, body, ttl, null).map(body)))));
  }

  private Future<Buffer> once(String key, Supplier<Future<Buffer>> load) {
    return flights.load(key, load);
  }

  static UUID idOf(Buffer userJson) {
    return UUID.fromString(new JsonObject(userJson).getString("id"));
  }
}

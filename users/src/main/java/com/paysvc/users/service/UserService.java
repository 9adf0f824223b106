package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.users.store.AccountsStore;
import com.paysvc.users.store.AccountsStore.Change;
import com.paysvc.users.store.AccountsStore.Lookup;
import com.paysvc.users.store.CanonicalIdentifier;
import com.paysvc.users.store.UserIdentifiers;
import com.paysvc.users.store.UserCache.Invalidation;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Users, their contacts and memberships. Reads: cache, then replica, or the primary where the replica lags
 * behind the user's last write (see {@link CachedReads}). Writes ({@link CachedWrites}): one transaction on the
 * primary holding the change and its event; after commit the user's cache keys are invalidated before the answer
 * goes out, so the caller's next read by any identifier sees the change.
 */
public final class UserService {
  private final Db db;
  private final AccountsStore store;
  private final CachedReads reads;
  private final CachedWrites writes;
  private final UserEvents events;
  private final ProfileBounds profiles;

  public UserService(Db db, AccountsStore store, CachedReads reads, CachedWrites writes, UserEvents events,
                     ProfileBounds profiles) {
    this.db = db;
    this.store = store;
    this.reads = reads;
    this.writes = writes;
    this.events = events;
    this.profiles = profiles;
  }

  public Future<Buffer> user(UUID id) {
    return detail(id).compose(b -> found(b, "user"));
  }

  /** The detail by id, active or not, through the cache; null when there is no such user. */
  private Future<Buffer> detail(UUID id) {
    return reads.user(reads.cache().userKey(id),
      c -> store.userAsOf(c, id).map(r -> new Lookup(id, r.body(), null, r.replayed())));
  }

  public Future<Buffer> userByIdentifier(String identifier) {
    return reads.userByIdentifier(identifier, c -> store.userByIdentifier(c, identifier))
      .compose(b -> found(b, "user"));
  }

  /**
   * A plain user's by-identifier lookup: its own record when the identifier is one of its own, as the lookup reads it
   * ({@link CanonicalIdentifier#match}); else 404. One read of its own record (cached) whoever the identifier names, so
   * the answer and its time are the same for someone else's identifier and for nobody's.
   */
  public Future<Buffer> ownUserByIdentifier(UUID self, String identifier) {
    return detail(self).compose(own -> switch (own == null ? CanonicalIdentifier.Match.NOT_FOUND
          : CanonicalIdentifier.match(new JsonObject(own), identifier)) {
        case FOUND -> Future.succeededFuture(own);
        case NOT_FOUND -> Future.failedFuture(ApiException.notFound("user"));
        // Its own second_login spells a UUID: the lookup decides whether another user's id comes first. Only admins
        // and services set a second_login, so this is no probe a caller steers.
        case UNLESS_AN_ID -> userByIdentifier(identifier).compose(found -> self.equals(CachedReads.idOf(found))
          ? Future.succeededFuture(found) : Future.failedFuture(ApiException.notFound("user")));
      });
  }

  /**
   * The lookup of a deactivated user too. Not cached (rare: auth asks when a login found no active user); from the
   * replica unless it lacks the row or had not replayed the user's last write (a deactivation a moment ago).
   */
  public Future<Buffer> userByIdentifierIncludingInactive(String identifier) {
    return reads.ownedBy(CachedReads::idOf, c -> store.userByIdentifierIncludingInactive(c, identifier))
      .compose(b -> found(b, "user"));
  }

  public Future<Buffer> users(int page, int size) {
    return db.read(c -> store.users(c, page, size));
  }

  /**
   * {@code byAdmin}: the caller is an admin, so the user may be put into the group admin (else 403). A profile over the
   * bounds is refused before anything is written ({@link ProfileBounds}); the failure is the returned future's, so a
   * bulk item fails on its own.
   */
  public Future<Buffer> create(JsonObject body, boolean byAdmin, String correlationId) {
    try {
      profiles.check(body.getValue("profile"));
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    // A lookup of one of the new identifiers already in flight would answer 404: not for readers after the 201, nor a
    // 404 cached before it (the same key, dropped by naming the identifier). No user's keys: none could be cached yet.
    return writes.write(conn -> store.createUser(conn, body, byAdmin, profiles.limits())
          .compose(user -> events.append(conn, UserEvents.CREATED, user, correlationId).map(user)),
        user -> new Invalidation(List.of(), List.of(), UserIdentifiers.of(user)))
      .onSuccess(user -> events.committed());
  }

  /**
   * Merges {@code profile} into the user's (a null value removes a key) and/or sets {@code isActive}. The patch is
   * bounded here like a profile; the merged profile, the one stored, in the database ({@link ProfileBounds}).
   */
  public Future<Buffer> update(UUID id, Object profile, Boolean isActive, String correlationId) {
    try {
      profiles.check(profile);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    String type = Boolean.FALSE.equals(isActive) ? UserEvents.DEACTIVATED : UserEvents.UPDATED;
    return writes.write(conn -> store.updateUser(conn, id, (JsonObject) profile, isActive, profiles.limits())
          .compose(user -> events.append(conn, type, user, correlationId).map(user)),
        user -> invalidationOf(id, user, List.of()))
      .onSuccess(user -> events.committed());
  }

  // Contacts ------------------------------------------------------------------------------------------------

  public Future<Buffer> contact(UUID id) {
    return reads.ownedBy(UserService::userIdOf, c -> store.contact(c, id)).compose(b -> found(b, "contact"));
  }

  /**
   * A plain user's read of a contact: found among its own contacts only, else 404, whoever's the contact is (one read
   * of its own contacts either way; see {@link #ownUserByIdentifier}).
   */
  public Future<Buffer> ownContact(UUID self, UUID contactId) {
    return reads.ofUser(self, c -> store.userContacts(c, self)).compose(own -> {
      String id = contactId.toString();
      JsonArray contacts = own == null ? new JsonArray() : new JsonArray(own);
      for (int i = 0; i < contacts.size(); i++) {
        if (id.equals(contacts.getJsonObject(i).getString("id"))) {
          return Future.succeededFuture(contacts.getJsonObject(i).toBuffer());
        }
      }
      return Future.failedFuture(ApiException.notFound("contact"));
    });
  }

  public Future<Buffer> userContacts(UUID userId) {
    return reads.ofUser(userId, c -> store.userContacts(c, userId)).compose(b -> found(b, "user"));
  }

  public Future<Buffer> addContact(UUID userId, String type, String value, String correlationId) {
    return changeOfUser(conn -> store.addContact(conn, userId, type, value), correlationId);
  }

  public Future<Buffer> updateContact(UUID id, String value, Boolean isActive, String correlationId) {
    return changeOfUser(conn -> store.updateContact(conn, id, value, isActive), correlationId);
  }

  public Future<Buffer> deleteContact(UUID id, String correlationId) {
    return changeOfUser(conn -> store.deleteContact(conn, id), correlationId);
  }

  // Memberships ---------------------------------------------------------------------------------------------

  public Future<Buffer> memberships(UUID userId) {
    return reads.ofUser(userId, c -> store.memberships(c, userId)).compose(b -> found(b, "user"));
  }

  public Future<Buffer> membership(UUID userId, UUID groupId) {
    return reads.ofUser(userId, c -> store.membership(c, userId, groupId)).compose(b -> found(b, "membership"));
  }

  /**
   * {@code byAdmin}: the caller is an admin, so the group may be admin (else 403). When the membership is new or
   * re-activated, the stored function also writes {@code user.roles_changed} (the user's tokens carry group names as
   * roles: auth ends its sessions); re-adding an active one changes nothing.
   */
  public Future<Buffer> addMembership(UUID userId, UUID groupId, boolean byAdmin, String correlationId) {
    return changeOfUser(conn -> store.addMembership(conn, userId, groupId, byAdmin, events.origin(correlationId))
      .map(UserService::noneReleased), correlationId);
  }

  /** As {@link #addMembership}: ending an active membership writes {@code user.roles_changed}. */
  public Future<Buffer> deleteMembership(UUID userId, UUID groupId, boolean byAdmin, String correlationId) {
    return changeOfUser(conn -> store.deleteMembership(conn, userId, groupId, byAdmin, events.origin(correlationId))
      .map(UserService::noneReleased), correlationId);
  }

  /**
   * A change to something a user's detail shows (a contact, a membership): the result names the user in
   * {@code user_id}; the user's new detail goes into a {@code user.updated} event in the same transaction. The change
   * holds the user's row lock to commit (every one takes it first), so the detail read here names every identifier
   * the user has at commit.
   */
  private Future<Buffer> changeOfUser(Function<SqlConnection, Future<Change>> change, String correlationId) {
    return writes.write(conn -> change.apply(conn).compose(result -> {
          UUID userId = userIdOf(result.body());
          return store.user(conn, userId)
            .compose(user -> events.append(conn, UserEvents.UPDATED, user, correlationId).map(user))
            .map(user -> new Applied(userId, user, result));
        }),
        applied -> invalidationOf(applied.userId(), applied.user(), applied.change().released()))
      .map(applied -> {
        events.committed();
        return applied.change().body();
      });
  }

  /** A membership change takes no identifier from the user. */
  private static Change noneReleased(Buffer membership) {
    return new Change(membership, List.of());
  }

  private static UUID userIdOf(Buffer row) {
    return UUID.fromString(new JsonObject(row).getString("user_id"));
  }

  private record Applied(UUID userId, Buffer user, Change change) {
  }

  /**
   * What a change of a user invalidates: the user's keys and the entries of every identifier it has (its detail's) or
   * the change took from it ({@code released}): stale details, and cached misses of identifiers it now has (a
   * reactivation, a contact added or changed). Named, not looked up: nothing of it can have been evicted. Dropped
   * after commit, before answering.
   */
  static Invalidation invalidationOf(UUID userId, Buffer user, List<String> released) {
    return new Invalidation(List.of(userId), List.of(), UserIdentifiers.of(user, released));
  }

  static Future<Buffer> found(Buffer body, String what) {
    return body == null ? Future.failedFuture(ApiException.notFound(what)) : Future.succeededFuture(body);
  }
}

package com.paysvc.users.service;

import com.paysvc.users.store.AccountsStore;
import com.paysvc.users.store.AccountsStore.Dictionary;
import com.paysvc.users.store.UserCache;
import com.paysvc.users.store.UserCache.Invalidation;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The group and contact-type dictionaries. Lists are cached for 3 h and dropped on every write; a rename also
 * drops the cached detail of every user that shows the renamed entry, and a group's rename tells auth that its
 * members' roles changed ({@link UserEvents#ROLES_CHANGED}, one per active member, in the rename's transaction).
 * A rename names its users only: their identifiers are read after it committed ({@link CachedWrites}), since it holds
 * no lock on them and a contact of one may change meanwhile.
 */
public final class DictionaryService {
  private final AccountsStore store;
  private final CachedReads reads;
  private final CachedWrites writes;
  private final UserEvents events;

  public DictionaryService(AccountsStore store, CachedReads reads, CachedWrites writes, UserEvents events) {
    this.store = store;
    this.reads = reads;
    this.writes = writes;
    this.events = events;
  }

  public Future<Buffer> list(Dictionary d) {
    return reads.plain(reads.cache().plainKey(d.cacheKey), UserCache.DICTIONARY_TTL_SECONDS, c -> store.dictionary(c, d));
  }

  public Future<Buffer> create(Dictionary d, String name, String description) {
    return writes.write(conn -> store.createEntry(conn, d, name, description), entry -> invalidation(d, List.of()));
  }

  public Future<Buffer> update(Dictionary d, UUID id, String name, String description, String correlationId) {
    return writes.write(conn -> store.updateEntry(conn, d, id, name, description, events.origin(correlationId))
          .map(JsonObject::new),
        json -> {
          List<UUID> users = new ArrayList<>();
          for (Object o : json.getJsonArray("user_ids", new JsonArray())) {
            users.add(UUID.fromString((String) o));
          }
          return invalidation(d, users);
        })
      .onSuccess(json -> events.committed())
      .map(json -> json.getJsonObject(d == Dictionary.USER_GROUPS ? "group" : "contact_type").toBuffer());
  }

  public Future<Void> delete(Dictionary d, UUID id) {
    return writes.write(conn -> store.deleteEntry(conn, d, id), v -> invalidation(d, List.of()));
  }

  /** The list, and the details of the users that show a renamed entry (under every identifier: CachedWrites). */
  private Invalidation invalidation(Dictionary d, List<UUID> users) {
    return new Invalidation(users, List.of(reads.cache().plainKey(d.cacheKey)), List.of());
  }
}

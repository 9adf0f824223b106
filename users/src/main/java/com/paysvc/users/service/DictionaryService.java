package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.AccountsStore;
import com.paysvc.users.store.AccountsStore.Dictionary;
import com.paysvc.users.store.UserCache;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The group and contact-type dictionaries. Lists are cached for 3 h and dropped on every write; a rename also
 * drops the cached detail of every user that shows the renamed entry.
 */
public final class DictionaryService {
  private final Db db;
  private final AccountsStore store;
  private final CachedReads reads;

  public DictionaryService(Db db, AccountsStore store, CachedReads reads) {
    this.db = db;
    this.store = store;
    this.reads = reads;
  }

  public Future<Buffer> list(Dictionary d) {
    return reads.plain(reads.cache().plainKey(d.cacheKey), UserCache.DICTIONARY_TTL_SECONDS, c -> store.dictionary(c, d));
  }

  public Future<Buffer> create(Dictionary d, String name, String description) {
    return db.tx(conn -> store.createEntry(conn, d, name, description))
      .compose(entry -> invalidate(d, List.of()).map(entry));
  }

  public Future<Buffer> update(Dictionary d, UUID id, String name, String description) {
    return db.tx(conn -> store.updateEntry(conn, d, id, name, description)).compose(result -> {
      JsonObject json = new JsonObject(result);
      List<UUID> users = new ArrayList<>();
      for (Object o : json.getJsonArray("user_ids", new JsonArray())) {
        users.add(UUID.fromString((String) o));
      }
      JsonObject entry = json.getJsonObject(d == Dictionary.USER_GROUPS ? "group" : "contact_type");
      return invalidate(d, users).map(entry.toBuffer());
    });
  }

  public Future<Void> delete(Dictionary d, UUID id) {
    return db.tx(conn -> store.deleteEntry(conn, d, id)).compose(v -> invalidate(d, List.of()));
  }

  private Future<Void> invalidate(Dictionary d, List<UUID> users) {
    reads.written();
    return reads.cache().invalidate(users, List.of(reads.cache().plainKey(d.cacheKey)));
  }
}

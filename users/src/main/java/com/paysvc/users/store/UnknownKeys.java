package com.paysvc.users.store;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The names under which misses of a user's identifiers are cached ({@link UserCache#fillUnknown}), as
 * {@code accounts.get_user_by_identifier_v2} normalises a looked-up identifier: its id, and each contact value as
 * stored (e-mails are stored in lower case by the database), a UUID-shaped one in canonical form (a lookup of any
 * spelling of it is normalised so). A write that gives the user these identifiers deletes those misses.
 */
public final class UnknownKeys {
  private UnknownKeys() {
  }

  /** The id and every contact value of a user's detail (the JSON of {@code accounts.user_json_v1}). */
  public static List<String> of(Buffer detail) {
    JsonObject user = new JsonObject(detail);
    Set<String> keys = new LinkedHashSet<>();
    keys.add(user.getString("id"));
    JsonArray contacts = user.getJsonArray("contacts", new JsonArray());
    for (int i = 0; i < contacts.size(); i++) {
      String value = contacts.getJsonObject(i).getString("value");
      if (value != null) {
        keys.add(normalised(value));
      }
    }
    return List.copyOf(keys);
  }

  /**
   * A stored contact value as a lookup of it is normalised ({@link CanonicalIdentifier}): UUID-shaped ones in
   * canonical form, others as stored (e-mails are stored in lower case; a non-ASCII one is never cached anyway).
   */
  static String normalised(String value) {
    String canonical = CanonicalIdentifier.of(value);
    return canonical == null ? value : canonical;
  }
}

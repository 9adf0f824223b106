package com.paysvc.users.store;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The identifiers under which a user's entries can be cached ({@code user_by_identifier:{identifier}}, the user's
 * detail or a cached miss that names it now): its id, and each contact value as stored. Any identifier that finds
 * the user is canonically that value ({@link CanonicalIdentifier}): e-mails are stored in lower case, phones and
 * second_logins are compared as given, and a UUID-shaped second_login's answer is never cached under it
 * ({@code CachedReads}). So a write names its user's entries without an index that eviction could take; the
 * database names them the same way ({@code accounts.user_identifiers_v1}).
 */
public final class UserIdentifiers {
  private UserIdentifiers() {
  }

  /** The id and every contact value of a user's detail (the JSON of {@code accounts.user_json_v1}). */
  public static List<String> of(Buffer detail) {
    return of(detail, List.of());
  }

  /** Those of a user's detail, and {@code released}: values a write just took from the user. */
  public static List<String> of(Buffer detail, Collection<String> released) {
    JsonObject user = new JsonObject(detail);
    Set<String> identifiers = new LinkedHashSet<>();
    identifiers.add(user.getString("id"));
    JsonArray contacts = user.getJsonArray("contacts", new JsonArray());
    for (int i = 0; i < contacts.size(); i++) {
      String value = contacts.getJsonObject(i).getString("value");
      if (value != null) {
        identifiers.add(value);
      }
    }
    identifiers.addAll(released);
    return List.copyOf(identifiers);
  }
}

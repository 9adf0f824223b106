package com.paysvc.auth.users;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What auth needs of a users record: id, active flag, group names (the token's roles), contacts, and the detail
 * JSON exactly as users answered it.
 */
public record UserRecord(UUID id, boolean active, List<String> groups, List<Contact> contacts, JsonObject json) {
  /** An active contact of the user. */
  public record Contact(UUID id, String type, String value) {
  }

  static UserRecord fromJson(JsonObject json) {
    List<String> groups = new ArrayList<>();
    for (Object o : json.getJsonArray("groups", new JsonArray())) {
      if (o instanceof JsonObject g && g.getString("name") != null) {
        groups.add(g.getString("name"));
      }
    }
    List<Contact> contacts = new ArrayList<>();
    for (Object o : json.getJsonArray("contacts", new JsonArray())) {
      if (o instanceof JsonObject c) {
        contacts.add(new Contact(UUID.fromString(c.getString("id")), c.getString("type"), c.getString("value")));
      }
    }
    return new UserRecord(UUID.fromString(json.getString("id")), json.getBoolean("is_active", false),
      List.copyOf(groups), List.copyOf(contacts), json);
  }

  /** When users created it (null if users did not say). */
  public java.time.Instant createdAt() {
    String at = json.getString("created_at");
    return at == null ? null : java.time.OffsetDateTime.parse(at).toInstant();
  }

  public JsonArray roles() {
    return new JsonArray(groups);
  }
}

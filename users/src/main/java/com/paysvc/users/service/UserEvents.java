package com.paysvc.users.service;

import com.paysvc.common.events.Outbox;
import com.paysvc.users.store.AccountsStore.EventOrigin;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

/**
 * The user events, appended to the outbox inside the transaction of the change they describe. {@link #ROLES_CHANGED}
 * is appended by the stored functions that change roles (memberships, a group's name), which alone know whether a
 * change happened and which members a rename touches: {@code {user_id, group_id, reason}}
 * ({@code sql/users/V14__profile_bounds_and_role_changes.sql}).
 */
public final class UserEvents {
  public static final String CREATED = "user.created";
  public static final String UPDATED = "user.updated";
  public static final String DEACTIVATED = "user.deactivated";
  /** The group names a user's tokens carry as roles changed: auth ends the user's sessions. */
  public static final String ROLES_CHANGED = "user.roles_changed";

  private final Outbox outbox;
  private final String producer;

  /** {@code producer}: the service's name, as the outbox writes it into the envelopes it appends itself. */
  public UserEvents(Outbox outbox, String producer) {
    this.outbox = outbox;
    this.producer = producer;
  }

  /** Producer and correlation id of the events a stored function appends. */
  public EventOrigin origin(String correlationId) {
    return new EventOrigin(producer, correlationId);
  }

  /** Appends {@code type} for the user whose current detail is {@code userJson} (read in the same transaction). */
  public Future<Void> append(SqlConnection conn, String type, Buffer userJson, String correlationId) {
    JsonObject user = new JsonObject(userJson);
    return outbox.append(conn, type, user.getString("id"), data(user), correlationId).mapEmpty();
  }

  /** Tells the relay to publish now; call after commit. */
  public void committed() {
    outbox.wake();
  }

  /** {user_id, is_active, identifiers: {id, email?, phone?, second_login?}, groups: [names]}. */
  static JsonObject data(JsonObject user) {
    JsonObject identifiers = new JsonObject().put("id", user.getString("id"));
    for (Object o : user.getJsonArray("contacts", new JsonArray())) {
      JsonObject c = (JsonObject) o;
      String type = c.getString("type");
      if ("email".equals(type) || "phone".equals(type) || "second_login".equals(type)) {
        identifiers.put(type, c.getString("value"));
      }
    }
    JsonArray groups = new JsonArray();
    for (Object o : user.getJsonArray("groups", new JsonArray())) {
      groups.add(((JsonObject) o).getString("name"));
    }
    return new JsonObject()
      .put("user_id", user.getString("id"))
      .put("is_active", user.getBoolean("is_active"))
      .put("identifiers", identifiers)
      .put("groups", groups);
  }
}

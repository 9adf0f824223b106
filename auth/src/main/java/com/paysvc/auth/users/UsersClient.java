package com.paysvc.auth.users;

import com.paysvc.common.client.PeerClient;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * The users API as auth uses it, with auth's own service token (scopes {@code users:lookup users:read
 * users:create users:deactivate}), through a breaker and a timeout ({@link PeerClient}). A 404 is "no such user"
 * (null); users' 400, 409 and 413 answers are the caller's problem and keep their status, code and message; anything
 * else unexpected (401/403: a scope missing from SERVICE_CLIENTS) is logged and becomes 503.
 */
public final class UsersClient {
  private static final Logger log = LoggerFactory.getLogger(UsersClient.class);

  /**
   * users' answers about what the caller sent, passed on as they are: a bad value (400), a taken identifier (409), a
   * profile over users' bound (413). Any other 4xx says something about auth itself (401/403: a scope missing from
   * SERVICE_CLIENTS; 415, 429: auth's own request or client) and is logged and becomes 503.
   */
  private static final Map<Integer, ErrorCode> PASSED_ON = Map.of(400, ErrorCode.VALIDATION_ERROR, 409, ErrorCode.CONFLICT,
    413, ErrorCode.PAYLOAD_TOO_LARGE);

  private final PeerClient users;

  public UsersClient(PeerClient users) {
    this.users = users;
  }

  /** The active user an identifier names (any of UUID, phone, e-mail, second_login); with {@code includeInactive} also a deactivated one. */
  public Future<UserRecord> byIdentifier(String identifier, boolean includeInactive, String requestId) {
    String q = "/accounts/users/by-identifier?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8)
      + (includeInactive ? "&include_inactive=true" : "");
    return users.send(HttpMethod.GET, q, null, requestId).compose(r -> record(r, 200, "look up a user"));
  }

  public Future<UserRecord> byId(UUID id, String requestId) {
    return users.send(HttpMethod.GET, "/accounts/users/" + id, null, requestId).compose(r -> record(r, 200, "read a user"));
  }

  /**
   * Creates a user; a taken contact is a 409 (CONFLICT / CONTACT_TYPE_CONFLICT), a bad one a 400, a profile over users'
   * bound a 413 (size) or 400 (depth, keys), as users says.
   */
  public Future<UserRecord> create(JsonObject profile, JsonArray contacts, JsonArray groups, String requestId) {
    JsonObject body = new JsonObject().put("profile", profile == null ? new JsonObject() : profile).put("contacts", contacts);
    if (groups != null && !groups.isEmpty()) {
      body.put("groups", groups);
    }
    return users.send(HttpMethod.POST, "/accounts/users", body, requestId).compose(r -> r.statusCode() == 404
      ? Future.failedFuture(unexpected(r, "create a user")) : record(r, 201, "create a user"));
  }

  /** {@code PATCH {"is_active": false}}: the user can no longer log in, and its sessions end (user.deactivated). */
  public Future<Void> deactivate(UUID id, String requestId) {
    return users.send(HttpMethod.PATCH, "/accounts/users/" + id, new JsonObject().put("is_active", false), requestId)
      .compose(r -> record(r, 200, "deactivate a user")).mapEmpty();
  }

  /** Deactivates a contact, so its value is free again; an already removed one counts as done. */
  public Future<Void> releaseContact(UUID contactId, String requestId) {
    return users.send(HttpMethod.DELETE, "/accounts/contacts/" + contactId, null, requestId)
      .compose(r -> r.statusCode() == 404 ? Future.succeededFuture() : record(r, 200, "release a contact").mapEmpty());
  }

  /** The id of the user group named {@code name}, or null. */
  public Future<UUID> groupId(String name, String requestId) {
    return users.send(HttpMethod.GET, "/accounts/user-groups", null, requestId).compose(r -> {
      if (r.statusCode() != 200) {
        return Future.failedFuture(unexpected(r, "list user groups"));
      }
      for (Object o : r.bodyAsJsonArray()) {
        if (o instanceof JsonObject g && name.equals(g.getString("name"))) {
          return Future.succeededFuture(UUID.fromString(g.getString("id")));
        }
      }
      return Future.succeededFuture(null);
    });
  }

  /** Adds the user to a group; already a member counts as done. */
  public Future<Void> addMembership(UUID userId, UUID groupId, String requestId) {
    JsonObject body = new JsonObject().put("user_id", userId.toString()).put("group_id", groupId.toString());
    return users.send(HttpMethod.POST, "/accounts/user-group-memberships", body, requestId).compose(r ->
      r.statusCode() == 201 || r.statusCode() == 409 ? Future.<Void>succeededFuture()
        : Future.failedFuture(unexpected(r, "add a membership")));
  }

  private static Future<UserRecord> record(HttpResponse<Buffer> r, int expected, String what) {
    if (r.statusCode() == expected) {
      return Future.succeededFuture(UserRecord.fromJson(r.bodyAsJsonObject()));
    }
    if (r.statusCode() == 404) {
      return Future.succeededFuture(null);
    }
    ErrorCode code = PASSED_ON.get(r.statusCode());
    if (code != null) {
      return Future.failedFuture(passOn(r, code));
    }
    return Future.failedFuture(unexpected(r, what));
  }

  /** users' own error, as it answered it (same code, message and details); {@code fallback} when it names none of ours. */
  private static ApiException passOn(HttpResponse<Buffer> r, ErrorCode fallback) {
    JsonObject body;
    try {
      body = r.bodyAsJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    ErrorCode code = fallback;
    if (body != null && body.getValue("error_code") instanceof String c) {
      try {
        ErrorCode named = ErrorCode.valueOf(c);
        if (named.status() == r.statusCode()) {
          code = named;
        }
      } catch (IllegalArgumentException ignored) {
        // not one of ours: keep the status' default code
      }
    }
    String message = body != null && body.getValue("message") instanceof String m ? m : "rejected by users";
    JsonObject details = body != null && body.getValue("details") instanceof JsonObject d ? d : new JsonObject();
    return new ApiException(code, message, details);
  }

  private static ApiException unexpected(HttpResponse<Buffer> r, String what) {
    log.error("users refused to {} for auth: {} {} (check auth's scopes in SERVICE_CLIENTS)", what, r.statusCode(),
      r.bodyAsString());
    return new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE, "users is unavailable");
  }
}

package com.paysvc.users.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The accounts stored functions, one prepared call each. Every function returns json; it is read as text and
 * handed on as bytes (response body, cache value) without being parsed. A SQL NULL ("no such row") becomes a
 * null buffer. The caller picks the client: replica, primary, or a transaction's connection.
 *
 * <p>Reads that may answer from the replica or fill the cache report how far the node they ran on had replayed the
 * primary's WAL, read before the data ({@code sql/users/V10__reads_report_replay_position.sql}): {@link AsOf}.
 */
public final class AccountsStore {

  /** A read's answer (null: no such row) and the replay position it was read at; null position: read on a primary. */
  public record AsOf(Buffer body, Lsn replayed) {
  }

  /** The user's detail, in the caller's transaction (or anywhere the replay position does not matter). */
  public Future<Buffer> user(SqlClient c, UUID id) {
    return call(c, "SELECT accounts.get_user_v1($1)::text", Tuple.of(id));
  }

  /** The user's detail for a read that may come from the replica. */
  public Future<AsOf> userAsOf(SqlClient c, UUID id) {
    return asOf(c, "SELECT replayed_lsn::text, body::text FROM accounts.get_user_v2($1)", Tuple.of(id));
  }

  /**
   * What a by-identifier lookup found: the user's id and detail, or (both null) the name under which the miss is
   * cached, as the database normalises the identifier; and the replay position it was read at (null: a primary).
   */
  public record Lookup(UUID userId, Buffer detail, String unknownKey, Lsn replayed) {
    public boolean found() {
      return detail != null;
    }

    /**
     * get_user_by_identifier_v5's one-value answer ({@code sql/users/V13__lookup_answers_one_value.sql}):
     * {@code <position>;<user id>;<detail>} or {@code <position>;;<miss key>}, the position empty on a primary. Only
     * the first two ';' are separators: the detail and the key may hold more.
     */
    public static Lookup parse(String answer) {
      int idAt = answer.indexOf(';') + 1;
      int valueAt = idAt == 0 ? 0 : answer.indexOf(';', idAt) + 1;
      if (valueAt == 0) {
        throw new IllegalStateException("not a lookup answer: " + answer.length() + " chars, fewer than two ';'");
      }
      Lsn replayed = idAt == 1 ? null : Lsn.parse(answer.substring(0, idAt - 1));
      if (valueAt == idAt + 1) {
        return new Lookup(null, null, answer.substring(valueAt), replayed);
      }
      return new Lookup(UUID.fromString(answer.substring(idAt, valueAt - 1)), Buffer.buffer(answer.substring(valueAt)),
        null, replayed);
    }
  }

  public Future<Lookup> userByIdentifier(SqlClient c, String identifier) {
    return c.preparedQuery("SELECT accounts.get_user_by_identifier_v5($1)")
      .execute(Tuple.of(identifier))
      .map(rows -> Lookup.parse(rows.iterator().next().getString(0)))
      .recover(SqlErrors::translate);
  }

  /** Like {@link #userByIdentifier}, but a deactivated user matches too. */
  public Future<AsOf> userByIdentifierIncludingInactive(SqlClient c, String identifier) {
    return asOf(c, "SELECT replayed_lsn::text, body::text FROM accounts.get_user_by_identifier_including_inactive_v2($1)",
      Tuple.of(identifier));
  }

  public Future<Buffer> users(SqlClient c, int page, int size) {
    return call(c, "SELECT accounts.list_users_v1($1, $2)::text", Tuple.of(page, size));
  }

  /**
   * The bounds of a stored profile ({@code sql/users/V14__profile_bounds_and_role_changes.sql}): its jsonb text in
   * UTF-8 bytes, its nesting depth and its keys at every level. Over the size: 413; else: 400.
   */
  public record ProfileLimits(int maxBytes, int maxDepth, int maxKeys) {
  }

  /**
   * Who writes an event that a stored function appends to the outbox itself ({@code user.roles_changed}): the
   * envelope's {@code producer} and {@code correlation_id}.
   */
  public record EventOrigin(String producer, String correlationId) {
  }

  /**
   * {@code byAdmin}: whether the caller may put the user into the group admin (else 403 when it names it). The profile
   * is checked against {@code limits} before anything is written.
   */
  public Future<Buffer> createUser(SqlClient c, JsonObject body, boolean byAdmin, ProfileLimits limits) {
    return call(c, "SELECT accounts.create_user_v3($1::jsonb, $2, $3, $4, $5)::text",
      Tuple.of(body, byAdmin, limits.maxBytes(), limits.maxDepth(), limits.maxKeys()));
  }

  /** The merged profile, the one stored, is checked against {@code limits} (when a profile is given). */
  public Future<Buffer> updateUser(SqlClient c, UUID id, JsonObject profile, Boolean isActive, ProfileLimits limits) {
    return call(c, "SELECT accounts.update_user_v2($1, $2::jsonb, $3, $4, $5, $6)::text",
      Tuple.of(id, profile, isActive, limits.maxBytes(), limits.maxDepth(), limits.maxKeys()));
  }

  public Future<AsOf> contact(SqlClient c, UUID id) {
    return asOf(c, "SELECT replayed_lsn::text, body::text FROM accounts.get_contact_v2($1)", Tuple.of(id));
  }

  public Future<AsOf> userContacts(SqlClient c, UUID userId) {
    return asOf(c, "SELECT replayed_lsn::text, body::text FROM accounts.list_user_contacts_v2($1)", Tuple.of(userId));
  }

  /**
   * A write's answer and the contact values it took from the user: a changed contact's old value, a deactivated
   * one's, a second_login a new one replaced ({@code sql/users/V15__cache_invalidation_names_identifiers.sql}). Only
   * the write knows them, and the cache entries under them must go with it ({@link UserIdentifiers}).
   */
  public record Change(Buffer body, List<String> released) {
  }

  public Future<Change> addContact(SqlClient c, UUID userId, String type, String value) {
    return change(c, "SELECT contact::text, released FROM accounts.add_contact_v2($1, $2, $3)",
      Tuple.of(userId, type, value));
  }

  public Future<Change> updateContact(SqlClient c, UUID id, String value, Boolean isActive) {
    return change(c, "SELECT contact::text, released FROM accounts.update_contact_v2($1, $2, $3)",
      Tuple.of(id, value, isActive));
  }

  public Future<Change> deleteContact(SqlClient c, UUID id) {
    return change(c, "SELECT contact::text, released FROM accounts.delete_contact_v2($1)", Tuple.of(id));
  }

  public Future<AsOf> memberships(SqlClient c, UUID userId) {
    return asOf(c, "SELECT replayed_lsn::text, body::text FROM accounts.list_memberships_v2($1)", Tuple.of(userId));
  }

  public Future<AsOf> membership(SqlClient c, UUID userId, UUID groupId) {
    return asOf(c, "SELECT replayed_lsn::text, body::text FROM accounts.get_membership_v2($1, $2)",
      Tuple.of(userId, groupId));
  }

  /**
   * {@code byAdmin}: whether the caller may change the group admin (else 403 when {@code groupId} is it). A membership
   * added or re-activated also appends {@code user.roles_changed} from {@code origin}, in the caller's transaction.
   */
  public Future<Buffer> addMembership(SqlClient c, UUID userId, UUID groupId, boolean byAdmin, EventOrigin origin) {
    return call(c, "SELECT accounts.add_membership_v3($1, $2, $3, $4, $5)::text",
      Tuple.of(userId, groupId, byAdmin, origin.producer(), origin.correlationId()));
  }

  /** As {@link #addMembership}: an active membership ended appends {@code user.roles_changed}. */
  public Future<Buffer> deleteMembership(SqlClient c, UUID userId, UUID groupId, boolean byAdmin, EventOrigin origin) {
    return call(c, "SELECT accounts.delete_membership_v3($1, $2, $3, $4, $5)::text",
      Tuple.of(userId, groupId, byAdmin, origin.producer(), origin.correlationId()));
  }

  /** Whether the user is active and an active member of the group admin (on the primary: the admin check). */
  public Future<Boolean> isActiveAdmin(SqlClient c, UUID userId) {
    return c.preparedQuery("SELECT accounts.is_active_admin_v1($1)").execute(Tuple.of(userId))
      .map(rows -> rows.iterator().next().getBoolean(0))
      .recover(SqlErrors::translate);
  }

  public Future<AsOf> dictionary(SqlClient c, Dictionary d) {
    return asOf(c, d.listSql, Tuple.tuple());
  }

  public Future<Buffer> createEntry(SqlClient c, Dictionary d, String name, String description) {
    return call(c, "SELECT accounts.create_" + d.singular + "_v1($1, $2)::text", Tuple.of(name, description));
  }

  /**
   * Returns {@code {<entry>, user_ids}}: the users whose cached detail shows the entry. A group renamed also appends
   * {@code user.roles_changed} from {@code origin} for each active member (their tokens carry the old name).
   */
  public Future<Buffer> updateEntry(SqlClient c, Dictionary d, UUID id, String name, String description,
                                    EventOrigin origin) {
    return d == Dictionary.USER_GROUPS
      ? call(c, "SELECT accounts.update_user_group_v2($1, $2, $3, $4, $5)::text",
        Tuple.of(id, name, description, origin.producer(), origin.correlationId()))
      : call(c, "SELECT accounts.update_contact_type_v1($1, $2, $3)::text", Tuple.of(id, name, description));
  }

  public Future<Void> deleteEntry(SqlClient c, Dictionary d, UUID id) {
    return call(c, "SELECT accounts.delete_" + d.singular + "_v1($1)::text", Tuple.of(id)).mapEmpty();
  }

  private static Future<Buffer> call(SqlClient c, String sql, Tuple args) {
    return c.preparedQuery(sql).execute(args)
      .map(AccountsStore::single)
      .recover(SqlErrors::translate);
  }

  private static Future<Change> change(SqlClient c, String sql, Tuple args) {
    return c.preparedQuery(sql).execute(args)
      .map(rows -> {
        Row row = rows.iterator().next();
        return new Change(Buffer.buffer(row.getString(0)), Arrays.asList(row.getArrayOfStrings(1)));
      })
      .recover(SqlErrors::translate);
  }

  private static Future<AsOf> asOf(SqlClient c, String sql, Tuple args) {
    return c.preparedQuery(sql).execute(args)
      .map(rows -> {
        Row row = rows.iterator().next();
        String body = row.getString(1);
        return new AsOf(body == null ? null : Buffer.buffer(body), Lsn.parse(row.getString(0)));
      })
      .recover(SqlErrors::translate);
  }

  private static Buffer single(RowSet<Row> rows) {
    Row row = rows.iterator().next();
    String text = row.getString(0);
    return text == null ? null : Buffer.buffer(text);
  }

  /** The two dictionaries; the names are fixed here, never taken from a request. */
  public enum Dictionary {
    USER_GROUPS("user_groups", "user_group", "users:user_groups", "user group"),
    CONTACT_TYPES("contact_types", "contact_type", "users:contact_types", "contact type");

    final String plural;
    final String singular;
    public final String cacheKey;
    public final String label;
    /** The list with its replay position; built once, like every statement here. */
    final String listSql;

    Dictionary(String plural, String singular, String cacheKey, String label) {
      this.plural = plural;
      this.singular = singular;
      this.cacheKey = cacheKey;
      this.label = label;
      this.listSql = "SELECT replayed_lsn::text, body::text FROM accounts.list_" + plural + "_v2()";
    }
  }
}

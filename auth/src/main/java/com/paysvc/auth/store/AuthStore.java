package com.paysvc.auth.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * auth's stored functions (sql/auth), one prepared call each. The caller picks the client: the primary pool for
 * everything here (credentials and sessions are read right after they are written, and a replica's lag would
 * let a revoked session refresh), or a transaction's connection.
 */
public final class AuthStore {

  /**
   * Result of {@code rotate_refresh_v1}; {@code issuedAt} is the database's second of the rotation (the access token's
   * iat, see {@link #iat}).
   */
  public record Rotation(Outcome outcome, UUID userId, UUID familyId, List<String> roles, long notBefore, long issuedAt) {
  }

  /** A new session's not-before time and the database's second of its start. */
  public record Started(long notBefore, long issuedAt) {
  }

  /** The iat of a token authorised at {@code issuedAt} for a user cut off at {@code notBefore} (guards reject iat <= nbf). */
  public static long iat(long issuedAt, long notBefore) {
    return Math.max(issuedAt, notBefore + 1);
  }

  public enum Outcome { ROTATED, REPLAYED, REUSED, REVOKED, EXPIRED, UNKNOWN }

  /** One entry Redis must hold: a denied token (issuer, jti, expiry), a user's not-before time, an ended session. */
  public record Revocation(Kind kind, String issuer, String subject, long value) {
    public enum Kind { TOKEN, USER, SESSION }
  }

  public Future<String> credentials(SqlClient c, UUID userId) {
    return c.preparedQuery("SELECT auth.get_credentials_v1($1)").execute(Tuple.of(userId))
      .map(rows -> rows.iterator().next().getString(0));
  }

  /** Sets the password; ends every session of the user except {@code keepFamily} (null: all), returns those ended. */
  public Future<List<UUID>> setCredentials(SqlClient c, UUID userId, String hash, UUID keepFamily) {
    return c.preparedQuery("SELECT * FROM auth.set_credentials_v1($1, $2, $3)").execute(Tuple.of(userId, hash, keepFamily))
      .map(rows -> {
        List<UUID> ended = new ArrayList<>(rows.size());
        rows.forEach(r -> ended.add(r.getUUID(0)));
        return ended;
      });
  }

  public Future<Boolean> rehash(SqlClient c, UUID userId, String oldHash, String newHash) {
    return bool(c.preparedQuery("SELECT auth.rehash_credentials_v1($1, $2, $3)").execute(Tuple.of(userId, oldHash, newHash)));
  }

  /** A new session with its first refresh token. */
  public Future<Started> startSession(SqlClient c, UUID userId, UUID familyId, List<String> roles, byte[] tokenHash,
                                      int ttlSeconds, int maxAgeSeconds) {
    return c.preparedQuery("SELECT not_before, issued_at FROM auth.start_session_v1($1, $2, $3, $4, $5, $6)")
      .execute(Tuple.of(userId, familyId, roles.toArray(new String[0]), Buffer.buffer(tokenHash), ttlSeconds, maxAgeSeconds))
      .map(rows -> {
        Row r = rows.iterator().next();
        return new Started(r.getLong(0), r.getLong(1));
      });
  }

  public Future<Rotation> rotate(SqlClient c, byte[] tokenHash, byte[] childHash, int graceSeconds, int ttlSeconds) {
    return c.preparedQuery("SELECT outcome, user_id, family_id, roles, not_before, issued_at FROM auth.rotate_refresh_v1($1, $2, $3, $4)")
      .execute(Tuple.of(Buffer.buffer(tokenHash), Buffer.buffer(childHash), graceSeconds, ttlSeconds))
      .map(rows -> {
        Row r = rows.iterator().next();
        String[] roles = r.getArrayOfStrings("roles");
        Long nbf = r.getLong("not_before");
        Long at = r.getLong("issued_at");
        return new Rotation(Outcome.valueOf(r.getString("outcome").toUpperCase(java.util.Locale.ROOT)),
          r.getUUID("user_id"), r.getUUID("family_id"), roles == null ? List.of() : List.of(roles), nbf == null ? 0 : nbf,
          at == null ? 0 : at);
      });
  }

  /** Records the session's roles as users gave them at a refresh (the fallback when users cannot be asked). */
  public Future<Void> setFamilyRoles(SqlClient c, UUID familyId, List<String> roles) {
    return c.preparedQuery("SELECT auth.set_family_roles_v1($1, $2)")
      .execute(Tuple.tuple().addUUID(familyId).addArrayOfString(roles.toArray(new String[0]))).mapEmpty();
  }

  public Future<Boolean> revokeFamily(SqlClient c, UUID familyId, String reason) {
    return bool(c.preparedQuery("SELECT auth.revoke_family_v1($1, $2)").execute(Tuple.of(familyId, reason)));
  }

  /** Ends every session of the user; returns the not-before time in force afterwards (the database's clock). */
  /** Every session of a user ended now: the user's not-before time (epoch s) and the sessions (families) it ended. */
  public record EndedSessions(long notBefore, List<UUID> sessions) {
  }

  public Future<EndedSessions> endUserSessions(SqlClient c, UUID userId, String reason) {
    return c.preparedQuery("SELECT not_before, ended FROM auth.end_user_sessions_v2($1, $2)").execute(Tuple.of(userId, reason))
      .map(rows -> {
        Row r = rows.iterator().next();
        return new EndedSessions(r.getLong(0), List.of(r.getArrayOfUUIDs(1)));
      });
  }

  public Future<Void> denyAccessToken(SqlClient c, String issuer, String jti, long expiresAt) {
    return c.preparedQuery("SELECT auth.deny_access_token_v1($1, $2, $3)").execute(Tuple.of(issuer, jti, expiresAt))
      .mapEmpty();
  }

  public Future<List<Revocation>> liveRevocations(SqlClient c, long now, int horizonSeconds) {
    return c.preparedQuery("SELECT kind, issuer, subject, until_or_at FROM auth.live_revocations_v1($1, $2)")
      .execute(Tuple.of(now, horizonSeconds))
      .map(rows -> {
        List<Revocation> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
          out.add(new Revocation(Revocation.Kind.valueOf(r.getString(0).toUpperCase(java.util.Locale.ROOT)), r.getString(1),
            r.getString(2), r.getLong(3)));
        }
        return out;
      });
  }

  /** A sign-up in progress (or left behind by a crash): its note. */
  public record PendingRegistration(UUID id, List<String> identifiers, UUID userId, java.time.OffsetDateTime createdAt) {
  }

  public Future<Void> beginRegistration(SqlClient c, UUID id, List<String> identifiers) {
    // Not Tuple.of(id, array): its varargs would spread the array into separate parameters.
    return c.preparedQuery("SELECT auth.begin_registration_v1($1, $2)")
      .execute(Tuple.tuple().addUUID(id).addArrayOfString(identifiers.toArray(new String[0])))
      .mapEmpty();
  }

  public Future<Void> registrationUser(SqlClient c, UUID id, UUID userId) {
    return c.preparedQuery("SELECT auth.registration_user_v1($1, $2)").execute(Tuple.of(id, userId)).mapEmpty();
  }

  /** Stores the first password and removes the note, in one transaction; false if the user had a password. */
  public Future<Boolean> completeRegistration(SqlClient c, UUID id, UUID userId, String hash) {
    return bool(c.preparedQuery("SELECT auth.complete_registration_v1($1, $2, $3)").execute(Tuple.of(id, userId, hash)));
  }

  public Future<Void> endRegistration(SqlClient c, UUID id) {
    return c.preparedQuery("SELECT auth.end_registration_v1($1)").execute(Tuple.of(id)).mapEmpty();
  }

  public Future<List<PendingRegistration>> claimStaleRegistrations(SqlClient c, int olderThanSeconds, int claimSeconds,
                                                                   int limit) {
    return c.preparedQuery("SELECT id, identifiers, user_id, created_at FROM auth.claim_stale_registrations_v1($1, $2, $3)")
      .execute(Tuple.of(olderThanSeconds, claimSeconds, limit))
      .map(rows -> {
        List<PendingRegistration> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
          out.add(new PendingRegistration(r.getUUID(0), List.of(r.getArrayOfStrings(1)), r.getUUID(2), r.getOffsetDateTime(3)));
        }
        return out;
      });
  }

  public Future<Integer> prune(SqlClient c, long now, int horizonSeconds) {
    return c.preparedQuery("SELECT auth.prune_v1($1, $2)").execute(Tuple.of(now, horizonSeconds))
      .map(rows -> rows.iterator().next().getInteger(0));
  }

  private static Future<Boolean> bool(Future<RowSet<Row>> rows) {
    return rows.map(r -> r.iterator().next().getBoolean(0));
  }
}

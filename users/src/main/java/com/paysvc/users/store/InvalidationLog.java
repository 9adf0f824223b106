package com.paysvc.users.store;

import com.paysvc.users.store.UserCache.Invalidation;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Cache invalidations recorded in Postgres until Redis took them, so that one Redis missed survives the instance
 * ({@code sql/users/V11__cache_invalidations_survive_restarts.sql}). One prepared call each. A record's identifiers
 * are the ones its write knew; a sweep adds its users' current ones, read then
 * ({@code sql/users/V15__cache_invalidation_names_identifiers.sql}).
 */
public final class InvalidationLog {
  private static final UUID[] NO_USERS = new UUID[0];
  private static final String[] NO_KEYS = new String[0];

  /** Recorded invalidations and a WAL position at or after all of their commits. */
  public record Recorded(List<Long> ids, List<Invalidation> invalidations, Lsn committedBy) {
  }

  /** Records {@code what} in the write's transaction; answers the record's id. */
  public Future<Long> record(SqlClient conn, Invalidation what) {
    return conn.preparedQuery("SELECT accounts.record_cache_invalidation_v1($1, $2, $3)")
      .execute(Tuple.of(what.users().toArray(NO_USERS), what.plainKeys().toArray(NO_KEYS),
        what.identifiers().toArray(NO_KEYS)))
      .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Redis took these: forget them. */
  public Future<Void> done(SqlClient c, List<Long> ids) {
    return c.preparedQuery("SELECT accounts.cache_invalidations_done_v1($1)")
      .execute(Tuple.of(ids.toArray(new Long[0])))
      .mapEmpty();
  }

  /**
   * Up to {@code limit} records older than {@code olderThanMs}, oldest first, their identifiers with those their users
   * have now. On the primary.
   */
  public Future<Recorded> pending(SqlClient c, long olderThanMs, int limit) {
    return c.preparedQuery("SELECT id, user_ids, plain_keys, identifiers, committed_by::text"
        + " FROM accounts.pending_cache_invalidations_v2($1, $2)")
      .execute(Tuple.of((int) Math.min(Integer.MAX_VALUE, olderThanMs), limit))
      .map(rows -> {
        List<Long> ids = new ArrayList<>();
        List<Invalidation> all = new ArrayList<>();
        Lsn committedBy = null;
        for (Row row : rows) {
          ids.add(row.getLong(0));
          all.add(new Invalidation(Arrays.asList(row.getArrayOfUUIDs(1)), Arrays.asList(row.getArrayOfStrings(2)),
            Arrays.asList(row.getArrayOfStrings(3))));
          committedBy = Lsn.parse(row.getString(4));
        }
        return new Recorded(ids, all, committedBy);
      });
  }
}

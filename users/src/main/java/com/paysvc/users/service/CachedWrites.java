package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.Lsn;
import com.paysvc.users.store.UserCache;
import com.paysvc.users.store.UserCache.Invalidation;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Writes of what the cache shows. The change runs in one transaction on the primary; once it committed, the WAL
 * position it reached is read on the same connection, and before the caller answers the cache drops what the change
 * invalidates and marks its users written at that position (replica data older than it is refused from then on:
 * {@link CachedReads}).
 *
 * <p>The position is {@code pg_current_wal_insert_lsn()} read after the commit returned: the commit record was
 * inserted before that, so it ends at or before the position, whatever {@code synchronous_commit} says (the write
 * position, {@code pg_current_wal_lsn()}, may still be short of the commit record when the commit did not wait for
 * its flush). It may be a little past the commit (other sessions' WAL, or a page header at a page boundary): a
 * replica then counts as behind a moment longer and the read goes to the primary, never the other way. The one extra
 * round trip is on writes only. When it fails (the connection dropped after the commit) the position is
 * {@link Lsn#UNKNOWN}: the write stands, and replica data of its users is refused while the marker lives.
 */
public final class CachedWrites {
  private static final Logger log = LoggerFactory.getLogger(CachedWrites.class);
  private static final String COMMITTED_AT = "SELECT pg_current_wal_insert_lsn()::text";

  private final Db db;
  private final CachedReads reads;

  public CachedWrites(Db db, CachedReads reads) {
    this.db = db;
    this.reads = reads;
  }

  /**
   * Runs {@code change} in a transaction; after it committed, drops what {@code invalidates} names of its result
   * (computed inside the transaction) and answers the result. Never fails once the transaction committed.
   */
  public <T> Future<T> write(Function<SqlConnection, Future<T>> change, Function<T, Invalidation> invalidates) {
    return db.tx(conn -> change.apply(conn).map(result -> new Pending<>(result, invalidates.apply(result))),
        (conn, pending) -> committedAt(conn).map(pending::at))
      .compose(done -> {
        // Loads started before this commit are not shared with readers after it (SingleFlight).
        reads.written();
        return cache().invalidate(done.what(), done.lsn()).map(done.result());
      });
  }

  private UserCache cache() {
    return reads.cache();
  }

  /** The WAL position at or after the commit that just returned on {@code conn}. */
  static Future<Lsn> committedAt(SqlClient conn) {
    return conn.query(COMMITTED_AT).execute()
      .map(rows -> Lsn.parse(rows.iterator().next().getString(0)))
      .otherwise(err -> {
        log.warn("commit position not read ({}): replica data of the written users is refused while their marker lives",
          err.toString());
        return Lsn.UNKNOWN;
      });
  }

  private record Pending<T>(T result, Invalidation what) {
    Done<T> at(Lsn lsn) {
      return new Done<>(result, what, lsn);
    }
  }

  private record Done<T>(T result, Invalidation what, Lsn lsn) {
  }
}

package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.InvalidationLog;
import com.paysvc.users.store.InvalidationLog.Recorded;
import com.paysvc.users.store.Lsn;
import com.paysvc.users.store.UserCache;
import com.paysvc.users.store.UserCache.Invalidation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Writes of what the cache shows. The change runs in one transaction on the primary, which also records what the
 * change invalidates ({@link InvalidationLog}); once it committed, the WAL position it reached and the current
 * identifiers of its users are read on the same connection, in one statement, and before the caller answers the cache
 * drops what the change invalidates and marks its users written at that position (replica data older than it is
 * refused from then on: {@link CachedReads}). The record is deleted once Redis took the invalidation.
 *
 * <p>The identifiers read after commit are what makes a write that does not hold its users' row locks exact (a
 * renamed group's members): a contact of one of them that changed between the rename's read and its commit is among
 * them (a change after that drops its own). For a write of one user they repeat what its transaction saw.
 *
 * <p>The position is {@code pg_current_wal_insert_lsn()} read after the commit returned: the commit record was
 * inserted before that, so it ends at or before the position, whatever {@code synchronous_commit} says (the write
 * position, {@code pg_current_wal_lsn()}, may still be short of the commit record when the commit did not wait for
 * its flush). It may be a little past the commit (other sessions' WAL, or a page header at a page boundary): a
 * replica then counts as behind a moment longer and the read goes to the primary, never the other way. When it
 * fails (the connection dropped after the commit) the position is {@link Lsn#UNKNOWN}: the write stands, replica
 * data of its users is refused while the marker lives, and the record is left for a sweep (which reads the
 * identifiers the statement could not).
 *
 * <p>Records Redis did not take (unreachable, breaker open, or this instance died first) are swept: on start, before
 * the instance serves, and every {@code sweepMs} those older than {@link #SWEEP_GRACE_MS} (younger ones are most
 * likely a live instance's write between commit and delete), with their users' identifiers as they are at the sweep.
 * A write costs one more statement in its transaction and one after; reads cost nothing more.
 */
public final class CachedWrites {
  private static final Logger log = LoggerFactory.getLogger(CachedWrites.class);
  private static final String COMMITTED = "SELECT pg_current_wal_insert_lsn()::text, accounts.user_identifiers_v1($1)";
  private static final UUID[] NO_USERS = new UUID[0];
  /** A record this old was not deleted by its writer in the normal course (that takes milliseconds). */
  static final long SWEEP_GRACE_MS = 10_000;
  /** Records per round trip of a sweep; a renamed group's thousands of users still go in batches (UserCache). */
  static final int SWEEP_BATCH = 200;

  private final Vertx vertx;
  private final Db db;
  private final CachedReads reads;
  private final InvalidationLog records = new InvalidationLog();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile long sweepTimer = -1;
  private volatile boolean stopped;

  public CachedWrites(Vertx vertx, Db db, CachedReads reads) {
    this.vertx = vertx;
    this.db = db;
    this.reads = reads;
  }

  /**
   * Runs {@code change} in a transaction; after it committed, drops what {@code invalidates} names of its result
   * (computed inside the transaction, and recorded there) and the entries of its users' current identifiers, and
   * answers the result. Never fails once the transaction committed.
   */
  public <T> Future<T> write(Function<SqlConnection, Future<T>> change, Function<T, Invalidation> invalidates) {
    return db.tx(conn -> change.apply(conn).compose(result -> {
          Invalidation what = invalidates.apply(result);
          return what.isEmpty() ? Future.succeededFuture(new Pending<>(result, what, null))
            : records.record(conn, what).map(id -> new Pending<>(result, what, id));
        }),
        (conn, pending) -> pending.what().isEmpty() ? Future.succeededFuture(pending.at(Committed.NOTHING))
          : committed(conn, pending.what().users()).map(pending::at))
      .compose(done -> {
        // Loads started before this commit are not shared with readers after it (SingleFlight).
        reads.written();
        // The record's delete is not awaited: the answer does not depend on it, and a delete that fails leaves the
        // record to a sweep (sending it again is harmless). A record whose users' identifiers could not be read after
        // commit stays for a sweep, which reads them.
        return cache().invalidate(done.what(), done.lsn())
          .onSuccess(delivered -> {
            if (delivered && done.complete() && done.recordId() != null) {
              forget(List.of(done.recordId()));
            }
          })
          .map(done.result());
      });
  }

  /**
   * Sends what earlier writes recorded and Redis did not take, then sweeps every {@code sweepMs}. The returned future
   * completes once the first sweep is done (or failed: logged; the next one tries again), so an instance that
   * restarts drops what it missed before it serves.
   */
  public Future<Void> start(long sweepMs) {
    sweeping.set(true);
    return sweep(0).onComplete(ar -> {
      sweeping.set(false);
      report(ar.succeeded() ? ar.result() : 0, ar.cause());
      if (!stopped) {
        sweepTimer = vertx.setPeriodic(sweepMs, sweepMs, id -> sweepRound());
      }
    }).<Void>mapEmpty().otherwiseEmpty();
  }

  public Future<Void> stop() {
    stopped = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    return Future.succeededFuture();
  }

  private void sweepRound() {
    // While this instance holds invalidations Redis refused, it replays them itself every second; a sweep now would
    // only queue the same keys again.
    if (cache().pendingInvalidations() > 0 || !sweeping.compareAndSet(false, true)) {
      return;
    }
    sweep(SWEEP_GRACE_MS).onComplete(ar -> {
      sweeping.set(false);
      report(ar.succeeded() ? ar.result() : 0, ar.cause());
    });
  }

  private static void report(int sent, Throwable err) {
    if (err != null) {
      log.warn("sweep of recorded cache invalidations failed (next round retries): {}", err.toString());
    } else if (sent > 0) {
      log.info("sent {} recorded cache invalidation(s) Redis had missed", sent);
    }
  }

  /** Sends records older than {@code olderThanMs} in batches until none is left or Redis refuses; answers how many went. */
  Future<Integer> sweep(long olderThanMs) {
    return sweepFrom(olderThanMs, 0);
  }

  private Future<Integer> sweepFrom(long olderThanMs, int sent) {
    return db.readPrimary(c -> records.pending(c, olderThanMs, SWEEP_BATCH)).compose(batch -> {
      if (batch.ids().isEmpty()) {
        return Future.succeededFuture(sent);
      }
      // Refused: the batch waits in this instance's memory (replayed every second, the cache bypassed meanwhile) and
      // stays recorded for a later sweep.
      return cache().invalidate(merged(batch), batch.committedBy()).compose(delivered -> !delivered
        ? Future.succeededFuture(sent)
        : forget(batch.ids()).compose(v -> batch.ids().size() < SWEEP_BATCH ? Future.succeededFuture(sent + batch.ids().size())
          : sweepFrom(olderThanMs, sent + batch.ids().size())));
    });
  }

  private static Invalidation merged(Recorded batch) {
    Set<UUID> users = new LinkedHashSet<>();
    Set<String> keys = new LinkedHashSet<>();
    Set<String> identifiers = new LinkedHashSet<>();
    for (Invalidation what : batch.invalidations()) {
      users.addAll(what.users());
      keys.addAll(what.plainKeys());
      identifiers.addAll(what.identifiers());
    }
    return new Invalidation(new ArrayList<>(users), new ArrayList<>(keys), new ArrayList<>(identifiers));
  }

  /** Deletes records Redis took. A failure leaves them for a sweep, which sends them once more (harmless). */
  private Future<Void> forget(List<Long> ids) {
    return db.write(c -> records.done(c, ids)).otherwise(err -> {
      log.debug("delivered cache invalidation(s) {} still recorded ({}): a sweep sends them again", ids, err.toString());
      return null;
    });
  }

  private UserCache cache() {
    return reads.cache();
  }

  /**
   * The WAL position at or after the commit that just returned on {@code conn}, and the current identifiers of
   * {@code users} (one statement, read after the commit).
   */
  static Future<Committed> committed(SqlClient conn, Collection<UUID> users) {
    return conn.preparedQuery(COMMITTED).execute(Tuple.of(users.toArray(NO_USERS)))
      .map(rows -> {
        Row row = rows.iterator().next();
        return new Committed(Lsn.parse(row.getString(0)), Arrays.asList(row.getArrayOfStrings(1)), true);
      })
      .otherwise(err -> {
        log.warn("commit position and identifiers not read ({}): replica data of the written users is refused while"
          + " their marker lives, and the record waits for a sweep", err.toString());
        return new Committed(Lsn.UNKNOWN, List.of(), false);
      });
  }

  /** What was read after a commit: its position, its users' identifiers then, and whether the read succeeded. */
  record Committed(Lsn lsn, List<String> identifiers, boolean complete) {
    /** A write that invalidates nothing reads nothing after commit. */
    static final Committed NOTHING = new Committed(Lsn.UNKNOWN, List.of(), true);
  }

  private record Pending<T>(T result, Invalidation what, Long recordId) {
    Done<T> at(Committed committed) {
      return new Done<>(result, what.withIdentifiers(committed.identifiers()), recordId, committed.lsn(),
        committed.complete());
    }
  }

  private record Done<T>(T result, Invalidation what, Long recordId, Lsn lsn, boolean complete) {
  }
}

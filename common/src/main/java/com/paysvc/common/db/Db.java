package com.paysvc.common.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Two-pool Postgres access. Writes and read-your-writes reads go to the primary pool (HAProxy write port);
 * other reads go to the replica endpoint (HAProxy read port) through a circuit breaker and fall back to the
 * primary when the replica fails, times out or the breaker is open. Only infrastructure failures count: an
 * error raised by a stored function is an answer and is returned as is.
 *
 * <p>The pg client cannot tell a primary from a replica and keeps connections to a demoted primary, whose
 * writes then fail with SQLSTATE 25006. Such a connection is evicted (its backend terminated, so the pool drops
 * it) and the write retried on a fresh connection: the statement was rejected, so the retry cannot apply it twice.
 *
 * <p>A service that never reads from a replica has no replica client (and no breaker): {@link #read} then fails.
 */
public final class Db {
  private static final Logger log = LoggerFactory.getLogger(Db.class);
  // HAProxy needs up to ~1.5 s (fall 2 × 500 ms fastinter) to move the write port after a demotion.
  private static final int READ_ONLY_RETRIES = 5;
  private static final long READ_ONLY_BACKOFF_MS = 400;

  private final Vertx vertx;
  private final Pool primary;
  private final SqlClient replica;
  private final CircuitBreaker replicaBreaker;
  private final Counter fallbackOnError;
  private final Counter fallbackOnOpen;
  private final Counter evictions;

  /** {@code replica} and {@code breakerOptions} null: the primary only. */
  public Db(Vertx vertx, Pool primary, SqlClient replica, CircuitBreakerOptions breakerOptions, MeterRegistry registry) {
    this.vertx = vertx;
    this.primary = primary;
    this.replica = replica;
    this.replicaBreaker = replica == null ? null : CircuitBreaker.create("pg-replica", vertx, breakerOptions)
      .failurePolicy(result -> result.failed() && DbErrors.isInfrastructure(result.cause()))
      .openHandler(v -> log.warn("replica breaker open: reads go to the primary"))
      .closeHandler(v -> log.info("replica breaker closed: reads back on the replica"));
    this.fallbackOnError = Counter.builder("paysvc_db_replica_fallback")
      .description("reads served by the primary because the replica failed").tag("reason", "replica_error")
      .register(registry);
    this.fallbackOnOpen = Counter.builder("paysvc_db_replica_fallback")
      .description("reads served by the primary because the replica failed").tag("reason", "breaker_open")
      .register(registry);
    this.evictions = Counter.builder("paysvc_db_readonly_evictions")
      .description("primary-pool connections evicted after SQLSTATE 25006 (node demoted)").register(registry);
    if (replicaBreaker != null) {
      Gauge.builder("paysvc_db_replica_breaker_open", replicaBreaker, b -> b.state() == CircuitBreakerState.CLOSED ? 0 : 1)
        .description("1 while replica reads are diverted to the primary").register(registry);
    }
  }

  /** A read that may be served by a replica (slightly stale data is fine). */
  public <T> Future<T> read(Function<SqlClient, Future<T>> query) {
    if (replica == null) {
      return Future.failedFuture(new IllegalStateException(
        "no replica: the service does not declare Dependency.REPLICA (use readPrimary, or declare it)"));
    }
    return replicaBreaker.<T>execute(() -> safely(query, replica))
      .recover(err -> {
        if (err instanceof OpenCircuitException) {
          fallbackOnOpen.increment();
        } else if (DbErrors.isInfrastructure(err)) {
          fallbackOnError.increment();
          log.debug("replica read failed, retrying on primary: {}", err.toString());
        } else {
          return Future.failedFuture(err);
        }
        return readPrimary(query);
      });
  }

  /** A read that must see the caller's own writes. */
  public <T> Future<T> readPrimary(Function<SqlClient, Future<T>> query) {
    return onPrimary(conn -> query.apply(conn), 0);
  }

  /** Statements on one primary connection without a transaction (each statement commits on its own). */
  public <T> Future<T> write(Function<SqlConnection, Future<T>> work) {
    return onPrimary(work, 0);
  }

  /** A transaction on the primary: committed when {@code work} succeeds, rolled back otherwise. */
  public <T> Future<T> tx(Function<SqlConnection, Future<T>> work) {
    return onPrimary(conn -> inTx(conn, work), 0);
  }

  /**
   * {@link #tx}, then {@code afterCommit} on the same connection once the transaction committed, before the
   * connection goes back to the pool (e.g. reading the WAL position the commit reached). The transaction stands
   * whatever {@code afterCommit} does: its failure is returned as it is, never retried (a retry would apply the
   * committed work again) and never reported as the database being unavailable.
   */
  public <T, R> Future<R> tx(Function<SqlConnection, Future<T>> work, BiFunction<SqlConnection, T, Future<R>> afterCommit) {
    return onPrimary(conn -> inTx(conn, work)
        .compose(result -> safely(c -> afterCommit.apply(c, result), conn).transform(Future::<AsyncResult<R>>succeededFuture)), 0)
      .compose(after -> after.succeeded() ? Future.succeededFuture(after.result()) : Future.failedFuture(after.cause()));
  }

  private static <T> Future<T> inTx(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    return conn.begin().compose(tx -> work.apply(conn)
      .compose(result -> tx.commit().map(result), err -> rollback(tx).compose(v -> Future.failedFuture(err))));
  }

  public Pool primary() {
    return primary;
  }

  /** Null when the service reads no replica. */
  public SqlClient replica() {
    return replica;
  }

  /** Null when the service reads no replica. */
  public CircuitBreakerState replicaBreakerState() {
    return replicaBreaker == null ? null : replicaBreaker.state();
  }

  public Future<Void> close() {
    if (replica == null) {
      return primary.close();
    }
    replicaBreaker.close();
    return Future.join(primary.close(), replica.close()).mapEmpty();
  }

  private <T> Future<T> onPrimary(Function<SqlConnection, Future<T>> work, int attempt) {
    return primary.withConnection(conn -> safely(work, conn)
        .recover(err -> DbErrors.isReadOnly(err) ? evict(conn).compose(v -> Future.failedFuture(err)) : Future.failedFuture(err)))
      .recover(err -> {
        if (DbErrors.isReadOnly(err) && attempt < READ_ONLY_RETRIES) {
          return delay(READ_ONLY_BACKOFF_MS).compose(v -> onPrimary(work, attempt + 1));
        }
        return Future.failedFuture(DbErrors.isInfrastructure(err) ? new DatabaseUnavailableException(err) : err);
      });
  }

  /**
   * {@code work} applied, a throw turned into a failed future: Pool.withConnection gives the connection back only when
   * the function returns a future, so a check that throws inside it (bad input) would keep a connection for good.
   */
  private static <C, T> Future<T> safely(Function<C, Future<T>> work, C client) {
    try {
      return work.apply(client);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Ends the server session, so the pool sees a closed connection and discards it instead of reusing it. */
  private Future<Void> evict(SqlConnection conn) {
    evictions.increment();
    log.warn("primary connection reached a read-only node (SQLSTATE 25006): evicting it");
    return conn.query("SELECT pg_terminate_backend(pg_backend_pid())").execute()
      .<Void>mapEmpty()
      .otherwiseEmpty();
  }

  private static Future<Void> rollback(Transaction tx) {
    return tx.rollback().otherwiseEmpty();
  }

  private Future<Void> delay(long ms) {
    return Future.future(p -> vertx.setTimer(ms, id -> p.complete()));
  }
}

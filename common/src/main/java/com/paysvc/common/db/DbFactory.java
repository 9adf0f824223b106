package com.paysvc.common.db;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;

import java.util.concurrent.TimeUnit;

/** Builds the two pools from the validated config; pool numbers are explained where they are chosen. */
public final class DbFactory {
  private DbFactory() {
  }

  public static Db create(Vertx vertx, Config config, String database, String user, MeterRegistry registry) {
    return create(vertx, config, database, user, true, registry);
  }

  /** {@code withReplica} false: the primary pool only (a service that never reads from a replica opens no connection to it). */
  public static Db create(Vertx vertx, Config config, String database, String user, boolean withReplica,
                          MeterRegistry registry) {
    PgConnectOptions write = connectOptions(config, database, user)
      .setHost(config.get(CommonSettings.PG_WRITE_HOST)).setPort(config.get(CommonSettings.PG_WRITE_PORT));
    Pool primary = PgBuilder.pool()
      .with(poolOptions(config, "pg-primary", config.get(CommonSettings.PG_PRIMARY_POOL_SIZE)))
      .with(netOptions())
      .connectingTo(write)
      .using(vertx)
      .build();
    if (!withReplica) {
      return new Db(vertx, primary, null, null, registry);
    }
    PgConnectOptions read = connectOptions(config, database, user)
      .setHost(config.get(CommonSettings.PG_READ_HOST)).setPort(config.get(CommonSettings.PG_READ_PORT))
      // Reads are short stored-function calls: pipelining several on one connection saves round trips and
      // connections; 16 keeps one slow query from queueing too much behind it.
      .setPipeliningLimit(16);
    // A pooled client (not a Pool) pipelines requests; reads need no transactions, so that is all they need.
    SqlClient replica = PgBuilder.client()
      .with(poolOptions(config, "pg-replica", config.get(CommonSettings.PG_REPLICA_POOL_SIZE)))
      .with(netOptions())
      .connectingTo(read)
      .using(vertx)
      .build();
    CircuitBreakerOptions breaker = new CircuitBreakerOptions()
      .setMaxFailures(3)                      // three failed reads in a row: the replica is gone, not flaky
      .setTimeout(config.get(CommonSettings.PG_REPLICA_TIMEOUT_MS))
      .setResetTimeout(config.get(CommonSettings.PG_REPLICA_RESET_MS))
      .setFallbackOnFailure(false);           // Db does its own fallback (an async call to the primary)
    return new Db(vertx, primary, replica, breaker, registry);
  }

  private static PgConnectOptions connectOptions(Config config, String database, String user) {
    return new PgConnectOptions()
      .setDatabase(database)
      .setUser(user)
      .setPassword(config.get(CommonSettings.PG_PASSWORD))
      // Java calls a small set of stored functions: cache their prepared statements per connection so a call is
      // one Bind/Execute round trip, not Parse/Describe every time.
      .setCachePreparedStatements(true)
      .setPreparedStatementCacheMaxSize(256)
      .setPreparedStatementCacheSqlLimit(2048)
      .addProperty("application_name", user);
  }

  private static PoolOptions poolOptions(Config config, String name, int size) {
    return new PoolOptions()
      .setName(name)
      .setMaxSize(size)
      // Bounded queue: under overload fail fast (503) instead of piling up requests and memory.
      .setMaxWaitQueueSize(1000)
      .setConnectionTimeout(3).setConnectionTimeoutUnit(TimeUnit.SECONDS)
      .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS)
      .setMaxLifetime(config.get(CommonSettings.PG_MAX_LIFETIME_SECONDS)).setMaxLifetimeUnit(TimeUnit.SECONDS)
      .setPoolCleanerPeriod(1000);
  }

  private static NetClientOptions netOptions() {
    return new NetClientOptions()
      .setConnectTimeout(2000)
      .setTcpKeepAlive(true)
      .setTcpNoDelay(true);
  }
}

package com.paysvc.common.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Applies versioned migrations (shipped in a jar under {@code db/<name>}, from {@code sql/<name>/}) with Flyway over
 * JDBC. Blocking: run it before Vert.x starts serving or on a worker.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  // The cluster may still be electing a leader when a service starts (≈ 10 s after a crash): wait that long.
  private static final long WAIT_FOR_PRIMARY_MS = 30_000;

  private Migrations() {
  }

  /** Where to migrate: the write endpoint and the service's role. */
  public record Target(String host, int port, String database, String user, String password) {
    String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?connectTimeout=5&ApplicationName=" + user + "-migrate";
    }
  }

  /**
   * Migrates {@code location} (classpath) into {@code schema} with its own history table; returns how many ran.
   * A wrong password or a missing database fails at once; only an unreachable server is waited for.
   */
  public static int apply(Target target, String location, String schema, String historyTable) {
    waitForServer(target);
    Flyway flyway = Flyway.configure()
      .dataSource(target.jdbcUrl(), target.user(), target.password())
      .locations("classpath:" + location)
      .schemas(schema)
      .table(historyTable)
      .failOnMissingLocations(true)
      .load();
    MigrateResult result = flyway.migrate();
    MigrationInfo current = flyway.info().current();
    log.info("migrations {} on {}.{}: {} applied, at version {}", location, target.database(), schema,
      result.migrationsExecuted, current == null ? "none" : current.getVersion());
    return result.migrationsExecuted;
  }

  private static void waitForServer(Target target) {
    long deadline = System.currentTimeMillis() + WAIT_FOR_PRIMARY_MS;
    while (true) {
      try (var ignored = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
        return;
      } catch (SQLException e) {
        String state = e.getSQLState();
        // 08: cannot connect; 57P03: the server is starting up. Anything else (28P01 bad password, 3D000 no such
        // database, 42501 no permission) will not fix itself by waiting.
        boolean transient_ = state == null || state.startsWith("08") || "57P03".equals(state);
        if (!transient_ || System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("cannot connect to database " + target.database() + " at " + target.host()
            + ":" + target.port() + " as " + target.user() + ": " + e.getMessage(), e);
        }
        log.info("waiting for the database at {}:{} ({})", target.host(), target.port(), e.getMessage());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the database", ie);
        }
      }
    }
  }
}

package com.paysvc.common.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a service's versioned migrations ({@code sql/<service>/V*.sql}, shipped in the jar under
 * {@code db/<service>}) with Flyway over JDBC. Blocking: run it before Vert.x starts serving or on a worker.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static int apply(String host, int port, String database, String user, String password, String location,
                          String historyTable) {
    String url = "jdbc:postgresql://" + host + ":" + port + "/" + database + "?connectTimeout=5&ApplicationName=" + user + "-migrate";
    Flyway flyway = Flyway.configure()
      .dataSource(url, user, password)
      .locations("classpath:" + location)
      .table(historyTable)
      .connectRetries(10)              // the cluster may still be electing a leader when the service starts
      .connectRetriesInterval(2)
      .failOnMissingLocations(true)
      .load();
    MigrateResult result = flyway.migrate();
    log.info("migrations at {} applied to {}: {} executed, now at version {}", location, database,
      result.migrationsExecuted, result.targetSchemaVersion);
    return result.migrationsExecuted;
  }
}

package com.paysvc.common.events;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the outbox/inbox migrations ({@code sql/events}, shipped in common under {@code db/events}) to a service
 * database: schema {@code events}, with their own history table so they version independently of the service's.
 * Blocking (JDBC): run it before Vert.x serves, like the service's own migrations.
 */
public final class EventsMigrations {
  private static final Logger log = LoggerFactory.getLogger(EventsMigrations.class);
  static final String LOCATION = "db/events";
  static final String HISTORY_TABLE = "flyway_events_history";

  private EventsMigrations() {
  }

  public static int apply(String host, int port, String database, String user, String password) {
    String url = "jdbc:postgresql://" + host + ":" + port + "/" + database + "?connectTimeout=5&ApplicationName="
      + user + "-migrate";
    Flyway flyway = Flyway.configure()
      .dataSource(url, user, password)
      .locations("classpath:" + LOCATION)
      .schemas("events")
      .table(HISTORY_TABLE)
      .connectRetries(10)
      .connectRetriesInterval(2)
      .failOnMissingLocations(true)
      .load();
    MigrateResult result = flyway.migrate();
    log.info("event migrations applied to {}: {} executed, now at version {}", database, result.migrationsExecuted,
      result.targetSchemaVersion);
    return result.migrationsExecuted;
  }
}

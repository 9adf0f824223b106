package com.paysvc.common.events;

import com.paysvc.common.db.Migrations;

/**
 * Applies the outbox/inbox migrations ({@code sql/events}, shipped in common under {@code db/events}) to a service
 * database: schema {@code events}, with their own history table so they version independently of the service's.
 * Blocking (JDBC): run it before Vert.x serves, like the service's own migrations.
 */
public final class EventsMigrations {
  static final String LOCATION = "db/events";
  static final String HISTORY_TABLE = "flyway_events_history";

  private EventsMigrations() {
  }

  public static int apply(Migrations.Target target) {
    return Migrations.apply(target, LOCATION, "events", HISTORY_TABLE);
  }
}

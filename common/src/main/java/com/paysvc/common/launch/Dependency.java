package com.paysvc.common.launch;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Setting;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a service may take from the launcher ({@link ServiceDefinition#dependencies()}): the launcher creates only
 * the declared ones, validates only their settings and probes only them on {@code /health/ready}; asking the
 * {@link ServiceContext} for an undeclared one fails the start with a message naming it.
 */
public enum Dependency {
  /** The primary pool (HAProxy write port): writes, transactions, read-your-writes reads; migrations. */
  PRIMARY("primary"),
  /** The replica client (HAProxy read port) behind a breaker, for {@code Db.read}; needs PRIMARY (its fallback). */
  REPLICA("replica"),
  /** The service's own Redis client on its {@code REDIS_DB} ({@code ServiceContext.redis()}). */
  REDIS("redis"),
  /** The broker connections, the outbox relay and the event handlers ({@code ServiceContext.events()}); needs PRIMARY. */
  EVENTS("rabbitmq");

  /** Its name on {@code /health/ready} and in {@code READY_REQUIRES}. */
  public final String probe;

  Dependency(String probe) {
    this.probe = probe;
  }

  /**
   * The settings only this dependency reads. Redis' host and credentials are not among them: the JWT guard of every
   * service that checks tokens reads auth's deny-list with them (its own client, on GuardSettings.AUTH_REDIS_PORT),
   * declared or not.
   */
  List<Setting<?>> settings(ServiceSettings s) {
    return switch (this) {
      case PRIMARY -> List.of(s.pgDatabase, s.pgUser, CommonSettings.MIGRATE_ON_START, CommonSettings.PG_WRITE_HOST,
        CommonSettings.PG_WRITE_PORT, CommonSettings.PG_PASSWORD, CommonSettings.PG_PRIMARY_POOL_SIZE,
        CommonSettings.PG_MAX_LIFETIME_SECONDS);
      case REPLICA -> List.of(CommonSettings.PG_READ_HOST, CommonSettings.PG_READ_PORT,
        CommonSettings.PG_REPLICA_POOL_SIZE, CommonSettings.PG_REPLICA_TIMEOUT_MS, CommonSettings.PG_REPLICA_RESET_MS);
      case REDIS -> List.of(s.redisPort, s.redisDb);
      case EVENTS -> {
        List<Setting<?>> list = new ArrayList<>(List.of(CommonSettings.RABBITMQ_HOST, CommonSettings.RABBITMQ_PORT,
          CommonSettings.RABBITMQ_USER, CommonSettings.RABBITMQ_PASSWORD, CommonSettings.RABBITMQ_VHOST));
        list.addAll(s.events.all());
        yield list;
      }
    };
  }

  /** The service's settings without those of the dependencies it does not declare (what it validates and lists). */
  static List<Setting<?>> settingsOf(ServiceSettings s, Set<Dependency> declared) {
    List<Setting<?>> unused = new ArrayList<>();
    for (Dependency d : values()) {
      if (!declared.contains(d)) {
        unused.addAll(d.settings(s));
      }
    }
    return s.all().stream().filter(setting -> !unused.contains(setting)).toList();
  }

  /** A problem of the declaration itself (a programming error), or null. */
  static String problem(Set<Dependency> declared) {
    for (Dependency d : List.of(REPLICA, EVENTS)) {
      if (declared.contains(d) && !declared.contains(PRIMARY)) {
        return d + " without PRIMARY (" + (d == REPLICA ? "reads fall back to the primary"
          : "the outbox and the processed events are tables of the service's database") + ")";
      }
    }
    return null;
  }
}

package com.paysvc.common.launch;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Setting;
import com.paysvc.common.events.EventSettings;
import io.vertx.core.VertxOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The settings whose defaults depend on the service, and the full list a service validates at start. */
public final class ServiceSettings {
  public final Setting<Integer> httpPort;
  public final Setting<Integer> httpInstances;
  public final Setting<String> pgDatabase;
  public final Setting<String> pgUser;
  public final Setting<Integer> redisDb;
  public final Setting<String> readyRequires;
  public final EventSettings events;
  private final List<Setting<?>> all;

  public ServiceSettings(ServiceDefinition def) {
    httpPort = CommonSettings.httpPort(def.defaultPort());
    // One HTTP verticle per event loop (Vert.x's default pool: two per core): they share the listening socket, and
    // every loop serves requests instead of some only carrying the clients' connections.
    httpInstances = Setting.integer("HTTP_INSTANCES", VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, 1, 64,
      "HTTP verticle instances (event loops serving requests)");
    pgDatabase = CommonSettings.pgDatabase(def.name());
    pgUser = CommonSettings.pgUser(def.name());
    redisDb = CommonSettings.redisDb(def.defaultRedisDb());
    readyRequires = new Setting<>("READY_REQUIRES",
      "dependencies whose outage makes /health/ready answer 503, comma-separated (primary, replica, redis, rabbitmq)",
      String.join(",", def.defaultReadyRequires()), false, ServiceSettings::checkDependencies);
    List<Setting<?>> list = new ArrayList<>(List.of(httpPort, httpInstances, pgDatabase, pgUser, redisDb, readyRequires));
    list.addAll(CommonSettings.shared());
    events = new EventSettings(def.name());
    list.addAll(events.all());
    list.addAll(def.extraSettings());
    all = List.copyOf(list);
  }

  public List<Setting<?>> all() {
    return all;
  }

  public static Set<String> parseDependencies(String value) {
    return Set.of(value.isBlank() ? new String[0] : value.trim().split("\\s*,\\s*"));
  }

  private static String checkDependencies(String value) {
    for (String d : parseDependencies(value)) {
      if (!Set.of("primary", "replica", "redis", "rabbitmq").contains(d)) {
        throw new IllegalArgumentException("names an unknown dependency '" + d + "'");
      }
    }
    return value.trim();
  }
}

package com.paysvc.common.launch;

import com.paysvc.common.client.PeerSettings;
import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Setting;
import com.paysvc.common.config.Topology;
import com.paysvc.common.events.EventSettings;
import com.paysvc.common.security.GuardSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The settings whose defaults depend on the service, and the full list a service validates at start. */
public final class ServiceSettings {
  public final Setting<Integer> httpPort;
  public final Setting<Integer> eventLoops;
  public final Setting<Integer> httpInstances;
  public final Setting<String> pgDatabase;
  public final Setting<String> pgUser;
  public final Setting<Integer> redisPort;
  public final Setting<Integer> redisDb;
  public final Setting<String> readyRequires;
  public final EventSettings events;
  private final List<Setting<?>> all;

  public ServiceSettings(ServiceDefinition def) {
    httpPort = CommonSettings.httpPort(def.defaultPort());
    // One event loop per core, not Vert.x's two: on 2 shared cores users spent 80-89 instead of 98 us of CPU per cached
    // read at 8,000 req/s with 2 loops (fewer threads switching, more requests per wakeup, more GETs per MGET), and
    // sustained 11,217 instead of 9,073 req/s (find-max, same run). Everything of the service shares these loops.
    eventLoops = Setting.integer("EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256,
      "Vert.x event loops (default: one per core)");
    // One HTTP verticle per event loop: they share the listening socket, and every loop serves requests.
    httpInstances = Setting.integer("HTTP_INSTANCES", 0, 0, 256,
      "HTTP verticle instances (event loops serving requests); 0: one per event loop");
    pgDatabase = CommonSettings.pgDatabase(def.name());
    pgUser = CommonSettings.pgUser(def.name());
    // A service without Redis of its own (it is dropped from its settings) has no topology entry to read it from.
    boolean ownRedis = def.dependencies().contains(Dependency.REDIS);
    redisPort = CommonSettings.redisPort(ownRedis ? def.defaultRedisPort() : Topology.integer("REDIS_PORT"));
    redisDb = CommonSettings.redisDb(ownRedis ? def.defaultRedisDb() : 0);
    readyRequires = new Setting<>("READY_REQUIRES",
      "dependencies whose outage makes /health/ready answer 503, comma-separated (primary, replica, redis, rabbitmq)",
      String.join(",", def.defaultReadyRequires()), false, ServiceSettings::checkDependencies);
    List<Setting<?>> list = new ArrayList<>(List.of(httpPort, eventLoops, httpInstances, pgDatabase, pgUser, redisPort, redisDb, readyRequires));
    list.addAll(CommonSettings.shared());
    events = new EventSettings(def.name());
    list.addAll(events.all());
    list.addAll(def.extraSettings());
    all = List.copyOf(list);
  }

  /** What {@code def} validates, lists and accepts: {@link #all()} without the settings of dependencies it does not declare. */
  public List<Setting<?>> used(ServiceDefinition def) {
    return Dependency.settingsOf(this, def.dependencies());
  }

  public List<Setting<?>> all() {
    return all;
  }

  /**
   * Every setting the shared code knows, whether this service declares it or not (the guard's and the peers' too): the
   * words of these names mark a variable as the platform's (Config.undeclared).
   */
  public List<Setting<?>> vocabulary() {
    List<Setting<?>> list = new ArrayList<>(all);
    list.addAll(GuardSettings.all());
    list.addAll(PeerSettings.all());
    return list;
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

package com.paysvc.common.config;

import java.util.List;

/** Settings every service has: HTTP, the two Postgres pools, Redis, RabbitMQ, lifecycle. */
public final class CommonSettings {
  private CommonSettings() {
  }

  public static final Setting<String> HTTP_HOST = Setting.string("HTTP_HOST", "127.0.0.1",
    "address the HTTP server binds (loopback by default; a container sets 0.0.0.0 behind its own network)");
  public static final Setting<Integer> BODY_LIMIT_KB = Setting.integer("HTTP_BODY_LIMIT_KB", 1024, 1, 64 * 1024,
    "largest accepted request body in KiB (uploads have their own limit)");
  // 32 MiB: bin/stack gives a service a 192 MB heap and exits it on OutOfMemoryError; a body costs more than its bytes
  // (its buffer grows by doubling, then it is parsed). With the whole budget taken by 1 MiB bodies users' heap peaked
  // near 100 MB (BodiesBeforeIdentityIT), leaving the rest to the service's own work. 32 full-size bodies at once is far
  // above what the API's clients send (a bulk create of 100 users is ~12 KB); a body reserves only what it declares.
  public static final Setting<Integer> BODY_BUDGET_MB = Setting.integer("HTTP_BODY_BUDGET_MB", 32, 1, 4096,
    "request-body MiB one instance reads or holds at once, all requests together (each reserves its Content-Length,"
      + " or its route's limit when chunked, before a byte is read); a body that does not fit is refused with 503 and"
      + " Retry-After, unread. At least HTTP_BODY_LIMIT_KB");
  public static final Setting<Integer> SHUTDOWN_GRACE_SECONDS = Setting.integer("SHUTDOWN_GRACE_SECONDS", 20, 0, 600,
    "on SIGTERM, how long in-flight requests may take to finish");
  public static final Setting<Boolean> MIGRATE_ON_START = Setting.bool("MIGRATE_ON_START", true,
    "apply database migrations at start-up");
  // Logging every request cost ~23 % of users' CPU on a cached read (async-profiler, 6,000 req/s: formatting on the
  // event loop, then a write(2) per line on logback's worker): 2xx/3xx requests are sampled, the rest always logged.
  public static final Setting<Integer> ACCESS_LOG_SAMPLE = Setting.integer("ACCESS_LOG_SAMPLE", 100, 1, 1_000_000,
    "access log: one in this many successful (< 400), fast requests is logged (1: every request); errors and slow ones always");
  public static final Setting<Integer> ACCESS_LOG_SLOW_MS = Setting.integer("ACCESS_LOG_SLOW_MS", 250, 0, 600_000,
    "access log: a request slower than this is always logged");
  public static final Setting<String> LOG_FORMAT = Setting.oneOf("LOG_FORMAT", "text", "log line format", "text", "json");
  // Read by logback.xml itself (${LOG_LEVEL}, ${LOG_LEVEL_ACCESS}); declared so that --help names them and a misspelt
  // level stops the service instead of turning into logback's DEBUG.
  public static final Setting<String> LOG_LEVEL = logLevel("LOG_LEVEL", "level of the root logger");
  public static final Setting<String> LOG_LEVEL_ACCESS = logLevel("LOG_LEVEL_ACCESS", "level of the access log (logger 'access')");
  // Vert.x's own default; tests lower it so that any blocking on an event loop shows as a warning.
  public static final Setting<Integer> EVENT_LOOP_BLOCKED_WARNING_MS = Setting.integer("EVENT_LOOP_BLOCKED_WARNING_MS", 2000,
    1, 600_000, "an event-loop task running longer than this is logged by Vert.x's blocked-thread checker");

  public static final Setting<String> PG_WRITE_HOST = Setting.string("PG_WRITE_HOST", "127.0.0.1", "Postgres write endpoint host (HAProxy → primary)");
  public static final Setting<Integer> PG_WRITE_PORT = Setting.port("PG_WRITE_PORT", Topology.integer("PG_WRITE_PORT"),
    "Postgres write endpoint port");
  public static final Setting<String> PG_READ_HOST = Setting.string("PG_READ_HOST", "127.0.0.1", "Postgres read endpoint host (HAProxy → replica, primary as backup)");
  public static final Setting<Integer> PG_READ_PORT = Setting.port("PG_READ_PORT", Topology.integer("PG_READ_PORT"),
    "Postgres read endpoint port");
  public static final Setting<String> PG_PASSWORD = Setting.secret("PG_PASSWORD", "password of the service's database role");
  // 10 + 10 per service: three services stay far below max_connections=200 even doubled during a restart, and on a
  // 2-core database more concurrent backends only add context switching.
  public static final Setting<Integer> PG_PRIMARY_POOL_SIZE = Setting.integer("PG_PRIMARY_POOL_SIZE", 10, 1, 200, "connections to the primary");
  public static final Setting<Integer> PG_REPLICA_POOL_SIZE = Setting.integer("PG_REPLICA_POOL_SIZE", 10, 1, 200, "connections to the replica endpoint");
  // Recycling connections bounds how long a pool can stay pinned to a node after a failover or rebalance.
  public static final Setting<Integer> PG_MAX_LIFETIME_SECONDS = Setting.integer("PG_MAX_LIFETIME_SECONDS", 300, 5, 86400,
    "a pooled connection is closed after this many seconds");
  public static final Setting<Integer> PG_REPLICA_TIMEOUT_MS = Setting.integer("PG_REPLICA_TIMEOUT_MS", 2000, 50, 60000,
    "a replica read slower than this counts as a failure and is retried on the primary");
  public static final Setting<Integer> PG_REPLICA_RESET_MS = Setting.integer("PG_REPLICA_RESET_MS", 3000, 100, 600000,
    "how long the replica breaker stays open before trying the replica again");

  public static final Setting<String> REDIS_HOST = Setting.string("REDIS_HOST", "127.0.0.1", "Redis host");
  public static final Setting<String> REDIS_USER = Setting.optionalString("REDIS_USER",
    "Redis ACL user (empty: the default user); bin/stack and compose give each service its own (redis/users.acl)");
  public static final Setting<String> REDIS_PASSWORD = Setting.optionalSecret("REDIS_PASSWORD", "Redis password (empty: none)");

  public static final Setting<String> RABBITMQ_HOST = Setting.string("RABBITMQ_HOST", "127.0.0.1", "RabbitMQ host");
  public static final Setting<Integer> RABBITMQ_PORT = Setting.port("RABBITMQ_PORT", Topology.integer("RABBITMQ_PORT"),
    "RabbitMQ AMQP port");
  public static final Setting<String> RABBITMQ_USER = Setting.string("RABBITMQ_USER", "paysvc", "RabbitMQ user");
  public static final Setting<String> RABBITMQ_PASSWORD = Setting.secret("RABBITMQ_PASSWORD", "RabbitMQ password");
  public static final Setting<String> RABBITMQ_VHOST = Setting.string("RABBITMQ_VHOST", "/", "RabbitMQ virtual host");

  private static Setting<String> logLevel(String name, String description) {
    List<String> levels = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    return new Setting<>(name, description + " (one of " + String.join(", ", levels) + ", any case)", "INFO", false, v -> {
      if (!levels.contains(v.trim().toUpperCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("must be one of " + String.join(", ", levels));
      }
      return v.trim();
    });
  }

  /** The settings whose defaults differ per service (port, database, role, Redis db). */
  public static Setting<Integer> httpPort(int defaultPort) {
    return Setting.port("HTTP_PORT", defaultPort, "HTTP port");
  }

  public static Setting<String> pgDatabase(String service) {
    return Setting.string("PG_DATABASE", service, "the service's own database");
  }

  public static Setting<String> pgUser(String service) {
    return Setting.string("PG_USER", service + "_svc", "the service's own database role");
  }

  /**
   * The service's own Redis (its {@code ServiceContext.redis()}): the security state's (topology's REDIS_PORT) for
   * auth, the cache's (REDIS_CACHE_PORT) for users. The JWT guard reads auth's keys with GuardSettings.AUTH_REDIS_*.
   */
  public static Setting<Integer> redisPort(int defaultPort) {
    return Setting.port("REDIS_PORT", defaultPort, "the service's own Redis port");
  }

  public static Setting<Integer> redisDb(int defaultDb) {
    return Setting.integer("REDIS_DB", defaultDb, 0, 15, "Redis logical database");
  }

  public static List<Setting<?>> shared() {
    return List.of(HTTP_HOST, BODY_LIMIT_KB, BODY_BUDGET_MB, SHUTDOWN_GRACE_SECONDS, MIGRATE_ON_START, ACCESS_LOG_SAMPLE, ACCESS_LOG_SLOW_MS, LOG_FORMAT, LOG_LEVEL, LOG_LEVEL_ACCESS,
      EVENT_LOOP_BLOCKED_WARNING_MS,
      PG_WRITE_HOST, PG_WRITE_PORT, PG_READ_HOST, PG_READ_PORT, PG_PASSWORD,
      PG_PRIMARY_POOL_SIZE, PG_REPLICA_POOL_SIZE, PG_MAX_LIFETIME_SECONDS, PG_REPLICA_TIMEOUT_MS, PG_REPLICA_RESET_MS,
      REDIS_HOST, REDIS_USER, REDIS_PASSWORD,
      RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD, RABBITMQ_VHOST);
  }
}

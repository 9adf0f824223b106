package com.paysvc.common.launch;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import com.paysvc.common.config.ConfigException;
import com.paysvc.common.config.Setting;
import com.paysvc.common.db.Db;
import com.paysvc.common.db.DbFactory;
import com.paysvc.common.db.Migrations;
import com.paysvc.common.events.Events;
import com.paysvc.common.events.EventsMigrations;
import com.paysvc.common.health.Readiness;
import com.paysvc.common.http.BodyBudget;
import com.paysvc.common.metrics.ServiceMetrics;
import com.paysvc.common.redis.RedisFactory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code main} of every service: {@code run} (default), {@code migrate} or {@code --help}. Configuration
 * problems end the process with exit code 2 and one message naming each of them; SIGTERM/SIGINT drain HTTP,
 * close what the service opened and exit 0.
 */
public final class ServiceLauncher {
  public static final int EXIT_CONFIG = 2;
  private static final long MIB = 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(ServiceLauncher.class);

  private final ServiceDefinition definition;
  private final ServiceSettings settings;
  private final Config config;
  private final Set<Dependency> dependencies;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Vertx vertx;
  private ServiceContext context;
  private String httpDeployment;
  // What start() created (null when not declared), for stop().
  private Db db;
  private Redis redis;
  private Events events;

  private ServiceLauncher(ServiceDefinition definition, ServiceSettings settings, Config config) {
    this.definition = definition;
    this.settings = settings;
    this.config = config;
    this.dependencies = Set.copyOf(definition.dependencies());
  }

  /** Entry point for a service's {@code main}. Never returns normally on errors: it exits with a code. */
  public static void main(ServiceDefinition definition, String[] args) {
    int code = run(definition, args, System.getenv(), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs a command; returns the exit code for commands that end ({@code --help}, {@code migrate}, errors). */
  static int run(ServiceDefinition definition, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    ServiceSettings settings = new ServiceSettings(definition);
    String declarationProblem = Dependency.problem(definition.dependencies());
    if (declarationProblem != null) {
      err.println(definition.name() + ": its ServiceDefinition declares " + declarationProblem);
      return EXIT_CONFIG;
    }
    List<Setting<?>> declared = settings.used(definition);
    String command = args.length == 0 ? "run" : args[0];
    if (List.of("--help", "-h", "help").contains(command)) {
      out.print(Config.help(definition.name(), declared, commandUsage(definition)));
      return 0;
    }
    ServiceCommand extra = definition.commands().get(command);
    if (!command.equals("run") && !command.equals("migrate") && extra == null) {
      err.println(definition.name() + ": unknown command '" + command + "' (try --help)");
      return EXIT_CONFIG;
    }
    if (extra != null && !extra.needsService()) {
      return extra.run(new ServiceCommand.Invocation(null, settings, List.of(args).subList(1, args.length), System.in, out, err));
    }
    Config config;
    try {
      config = Config.load(declared, env);
      checkReadyRequires(definition, settings, config);
      checkBodyBudget(definition, config);
    } catch (ConfigException e) {
      err.println(definition.name() + ": " + e.getMessage());
      err.println("Run with --help for every setting.");
      return EXIT_CONFIG;
    }
    // The name only, never the value (it may be a secret meant for another service).
    for (String name : Config.undeclared(declared, settings.vocabulary(), env.keySet())) {
      log.warn("{} is set but is not a setting of {}: ignored (--help lists its settings)", name, definition.name());
    }
    ServiceLauncher launcher = new ServiceLauncher(definition, settings, config);
    try {
      if (command.equals("migrate")) {
        if (!launcher.dependencies.contains(Dependency.PRIMARY)) {
          out.println(definition.name() + " has no database: nothing to migrate");
          return 0;
        }
        launcher.migrate();
        return 0;
      }
      if (launcher.migratesOnStart()) {
        launcher.migrate();
      }
    } catch (RuntimeException e) {
      // Flyway's message names the failing migration; the stack trace adds nothing for an operator.
      err.println(definition.name() + ": migration failed: " + e.getMessage());
      return 1;
    }
    if (extra != null) {
      return extra.run(new ServiceCommand.Invocation(config, settings, List.of(args).subList(1, args.length), System.in,
        out, err));
    }
    launcher.start().toCompletionStage().toCompletableFuture().whenComplete((v, failure) -> {
      if (failure != null) {
        log.error("{} failed to start: {}", definition.name(), failure.toString());
        launcher.stop().whenComplete((x, e) -> System.exit(1));
      }
    });
    launcher.installSignalHandlers();
    return 0;
  }

  private static Map<String, String> commandUsage(ServiceDefinition definition) {
    Map<String, String> usage = new java.util.TreeMap<>();
    definition.commands().forEach((name, c) -> usage.put(name, c.usage()));
    return usage;
  }

  /** READY_REQUIRES may only name what the service declares (a probe of nothing would never be registered). */
  private static void checkReadyRequires(ServiceDefinition definition, ServiceSettings settings, Config config) {
    Set<String> probes = new java.util.TreeSet<>();
    definition.dependencies().forEach(d -> probes.add(d.probe));
    for (String name : ServiceSettings.parseDependencies(config.get(settings.readyRequires))) {
      if (!probes.contains(name)) {
        throw new ConfigException(List.of(settings.readyRequires.name() + " names '" + name + "', which "
          + definition.name() + " does not use (it uses: " + (probes.isEmpty() ? "none" : String.join(", ", probes)) + ")"));
      }
    }
  }

  /** Every body limit fits in the body budget (a body larger than the budget could never be read). */
  private static void checkBodyBudget(ServiceDefinition definition, Config config) {
    long budget = config.get(CommonSettings.BODY_BUDGET_MB) * MIB;
    long largest = config.get(CommonSettings.BODY_LIMIT_KB) * 1024L;
    for (int max : definition.jsonBodyLimits(config).values()) {
      largest = Math.max(largest, max);
    }
    if (largest > budget) {
      throw new ConfigException(List.of(CommonSettings.BODY_BUDGET_MB.name() + " (" + budget + " bytes) is smaller than"
        + " the largest request body a route accepts (" + largest + " bytes, " + CommonSettings.BODY_LIMIT_KB.name()
        + " or a route's own limit): such a body could never be read"));
    }
  }

  private boolean migratesOnStart() {
    return dependencies.contains(Dependency.PRIMARY) && config.get(CommonSettings.MIGRATE_ON_START);
  }

  private void migrate() {
    Migrations.Target target = new Migrations.Target(config.get(CommonSettings.PG_WRITE_HOST),
      config.get(CommonSettings.PG_WRITE_PORT), config.get(settings.pgDatabase), config.get(settings.pgUser),
      config.get(CommonSettings.PG_PASSWORD));
    Migrations.apply(target, "db/" + definition.name(), "public", "flyway_schema_history");
    // The outbox/inbox tables are the same in every service database: schema events, own history table.
    EventsMigrations.apply(target);
  }

  /** Starts Vert.x, the shared clients and the HTTP verticles. */
  public Future<Void> start() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      // The HTTP server's metrics are ServiceMetrics' own (labelled by route template, not raw path: /users/{id} is one
      // series, not one per id). POOL_TYPE: HTTP client pools always carry it, and Prometheus refuses one name with two
      // tag-key sets (the JWKS client's pool metrics were dropped with a warning).
      .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_NAME, Label.POOL_TYPE));
    long blockedMs = config.get(CommonSettings.EVENT_LOOP_BLOCKED_WARNING_MS);
    vertx = Vertx.builder()
      // Netty's epoll transport where it loads (Linux x86_64), else the JDK's NIO: see isNativeTransportEnabled below.
      .with(new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(true)
        .setEventLoopPoolSize(config.get(settings.eventLoops))
        .setMaxEventLoopExecuteTime(blockedMs).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        // Checked a few times per threshold, so a block just over it is seen (Vert.x checks once a second by default).
        .setBlockedThreadCheckInterval(Math.max(1, Math.min(1000, blockedMs / 4)))
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS))
      .withMetrics(new ServiceMetrics(registry))
      .build();

    // vertx-sql-client 5.0.8: when a request that waited for a pool connection gets one just as its connection
    // timeout fires, the timer completes the already completed acquisition again and Vert.x reports an unhandled
    // "Promise already completed" — the request itself succeeded (eclipse-vertx/vertx-sql-client#1567, fixed by #1621
    // after 5.0.8; seen here under 16 concurrent notifications on a pool of 10). Counted and logged once a minute
    // instead of an ERROR per occurrence; every other unhandled exception is still logged in full.
    io.micrometer.core.instrument.Counter poolRace = io.micrometer.core.instrument.Counter
      .builder("paysvc_vertx_pool_timeout_race").description("vertx-sql-client#1567 occurrences (harmless)").register(registry);
    java.util.concurrent.atomic.AtomicLong lastRaceLog = new java.util.concurrent.atomic.AtomicLong();
    vertx.exceptionHandler(err -> {
      if (err instanceof IllegalStateException && "Promise already completed".equals(err.getMessage())) {
        poolRace.increment();
        long now = System.currentTimeMillis();
        long last = lastRaceLog.get();
        if (now - last > 60_000 && lastRaceLog.compareAndSet(last, now)) {
          log.warn("pool acquisition completed twice (vertx-sql-client#1567, harmless; counted in paysvc_vertx_pool_timeout_race)");
        }
        return;
      }
      log.error("unhandled exception on an event loop", err);
    });

    // Only what the definition declares is created and probed: a service without Redis opens no Redis connection and
    // its /health/ready does not report one.
    Readiness readiness = new Readiness(vertx, ServiceSettings.parseDependencies(config.get(settings.readyRequires)));
    if (dependencies.contains(Dependency.PRIMARY)) {
      Db pools = DbFactory.create(vertx, config, config.get(settings.pgDatabase), config.get(settings.pgUser),
        dependencies.contains(Dependency.REPLICA), registry);
      db = pools;
      readiness.register(Dependency.PRIMARY.probe, () -> pools.primary().query("SELECT 1").execute());
      if (dependencies.contains(Dependency.REPLICA)) {
        readiness.register(Dependency.REPLICA.probe, () -> pools.replica().query("SELECT 1").execute());
      }
    }
    if (dependencies.contains(Dependency.REDIS)) {
      Redis client = RedisFactory.create(vertx, config, config.get(CommonSettings.REDIS_HOST), config.get(settings.redisPort),
        config.get(settings.redisDb), "redis");
      redis = client;
      readiness.register(Dependency.REDIS.probe, () -> RedisFactory.ping(client));
    }
    if (dependencies.contains(Dependency.EVENTS)) {
      events = Events.create(vertx, definition.name(), config, settings.events, db, registry);
      // Reported, not required unless READY_REQUIRES says so: without the broker, writes still commit to the outbox.
      readiness.register(Dependency.EVENTS.probe, events::probe);
    }
    String openapi = readResource("openapi.yaml");
    context = new ServiceContext(vertx, definition, settings, config, db, redis, readiness, registry, events,
      dependencies, parseYaml(openapi), new BodyBudget(config.get(CommonSettings.BODY_BUDGET_MB) * MIB, registry));
    int instances = config.get(settings.httpInstances) == 0 ? config.get(settings.eventLoops)
      : config.get(settings.httpInstances);
    // init runs inside a future: an undeclared dependency it asks for (ServiceContext throws) fails the start.
    return Future.<Void>succeededFuture().compose(v -> definition.init(context))
      .compose(v -> events == null ? Future.<Void>succeededFuture() : events.start())
      .compose(v -> vertx.deployVerticle(() -> new HttpVerticle(context, openapi),
        new DeploymentOptions().setInstances(instances)))
      .onSuccess(id -> {
        httpDeployment = id;
        log.info("{} listening on {}:{} ({} event loops, {} transport)", definition.name(),
          config.get(CommonSettings.HTTP_HOST), config.get(settings.httpPort), instances,
          vertx.isNativeTransportEnabled() ? "epoll" : "NIO");
      })
      .mapEmpty();
  }

  /**
   * Graceful stop: HTTP stops accepting and drains in-flight requests, the bridge stops taking deliveries, the
   * service's own resources close, the outbox is flushed (what the last requests committed is published while the
   * broker is up) and the broker connection closes, then Redis and the pools, then Vert.x. The returned future
   * completes off the event loops (they are gone by then).
   */
  public CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (vertx == null || !stopping.compareAndSet(false, true)) {
      done.complete(null);
      return done;
    }
    log.info("{} stopping", definition.name());
    Future<?> http = httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment);
    http.transform(ar -> events == null ? Future.succeededFuture() : events.stopConsuming())
      .transform(ar -> closeHooks())
      .transform(ar -> events == null ? Future.succeededFuture() : events.close())
      .transform(ar -> Future.join(redis == null ? Future.succeededFuture() : redis.close(),
        db == null ? Future.succeededFuture() : db.close()))
      // Vert.x must be closed from outside its own event loops: a listener on one of them would never run.
      .onComplete(ar -> CompletableFuture.runAsync(() -> vertx.close()
        .onComplete(closed -> {
          log.info("{} stopped", definition.name());
          done.complete(null);
        })));
    return done;
  }

  private Future<?> closeHooks() {
    if (context == null) {
      return Future.succeededFuture();
    }
    Future<?> chain = Future.succeededFuture();
    for (var hook : context.closeHooks()) {
      chain = chain.transform(ar -> hook.get());
    }
    return chain;
  }

  public ServiceContext context() {
    return context;
  }

  private void installSignalHandlers() {
    for (String name : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
        // Runs on the JVM's signal thread, never on an event loop: waiting here blocks nothing of Vert.x.
        log.info("received SIG{}: draining", name);
        CompletableFuture<Void> done = stop();
        int grace = config.get(CommonSettings.SHUTDOWN_GRACE_SECONDS) + 10;
        try {
          done.get(grace, TimeUnit.SECONDS);
          System.exit(0);
        } catch (Exception e) {
          log.error("shutdown did not finish within {} s: {}", grace, e.toString());
          System.exit(1);
        }
      });
    }
  }

  /** The contract as JSON (for a router's copy of it, or a schema a handler checks itself). */
  @SuppressWarnings("unchecked")
  private static JsonObject parseYaml(String yaml) {
    return new JsonObject((Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(yaml));
  }

  private static String readResource(String name) {
    try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }

  /** For tests: start a service in-process with the given environment. */
  public static Future<ServiceLauncher> startForTest(ServiceDefinition definition, Map<String, String> env) {
    ServiceSettings settings = new ServiceSettings(definition);
    String declarationProblem = Dependency.problem(definition.dependencies());
    if (declarationProblem != null) {
      throw new IllegalArgumentException(definition.name() + " declares " + declarationProblem);
    }
    Config config = Config.load(settings.used(definition), env);
    checkReadyRequires(definition, settings, config);
    checkBodyBudget(definition, config);
    ServiceLauncher launcher = new ServiceLauncher(definition, settings, config);
    if (launcher.migratesOnStart()) {
      launcher.migrate();
    }
    // A start that fails stops what it had started (the caller has no launcher to stop).
    return launcher.start().map(launcher).recover(err -> Future.fromCompletionStage(launcher.stop())
      .transform(ar -> Future.failedFuture(err)));
  }
}

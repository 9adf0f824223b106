package com.paysvc.common.launch;

import com.paysvc.common.config.Config;
import com.paysvc.common.db.Db;
import com.paysvc.common.events.Events;
import com.paysvc.common.events.Outbox;
import com.paysvc.common.health.Readiness;
import com.paysvc.common.http.BodyBudget;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a running service shares across its verticles: config, pools, clients, health and metrics. The pools, Redis
 * and events exist only when the definition declares them ({@link ServiceDefinition#dependencies()}); asking for one
 * that it does not declare throws, and fails the start, naming it.
 */
public final class ServiceContext {
  private final Vertx vertx;
  private final ServiceDefinition definition;
  private final ServiceSettings settings;
  private final Config config;
  private final Db db;
  private final Redis redis;
  private final Readiness readiness;
  private final PrometheusMeterRegistry registry;
  private final Events events;
  private final Set<Dependency> dependencies;
  private final JsonObject openapi;
  private final List<Supplier<Future<?>>> closeHooks = new ArrayList<>();
  private final BodyBudget bodyBudget;
  private volatile Authentication authentication;
  private volatile int httpPort = -1;

  ServiceContext(Vertx vertx, ServiceDefinition definition, ServiceSettings settings, Config config, Db db,
                 Redis redis, Readiness readiness, PrometheusMeterRegistry registry, Events events,
                 Set<Dependency> dependencies, JsonObject openapi, BodyBudget bodyBudget) {
    this.vertx = vertx;
    this.definition = definition;
    this.settings = settings;
    this.config = config;
    this.db = db;
    this.redis = redis;
    this.readiness = readiness;
    this.registry = registry;
    this.events = events;
    this.dependencies = Set.copyOf(dependencies);
    this.openapi = openapi;
    this.bodyBudget = bodyBudget;
  }

  /** The service's contract (its openapi.yaml) as JSON; callers must not modify it. */
  public JsonObject openapi() {
    return openapi;
  }

  public Vertx vertx() {
    return vertx;
  }

  public ServiceDefinition definition() {
    return definition;
  }

  public ServiceSettings settings() {
    return settings;
  }

  public Config config() {
    return config;
  }

  /** The primary pool, and the replica when {@link Dependency#REPLICA} is declared too. */
  public Db db() {
    return declared(Dependency.PRIMARY, "db()", db);
  }

  public Redis redis() {
    return declared(Dependency.REDIS, "redis()", redis);
  }

  public Readiness readiness() {
    return readiness;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Event handlers ({@code events().onIdempotent("user.deactivated", ...)}, registered in init) and the broker. */
  public Events events() {
    return declared(Dependency.EVENTS, "events()", events);
  }

  /** Where business transactions append their events; call {@link Outbox#wake()} after the commit. */
  public Outbox outbox() {
    return declared(Dependency.EVENTS, "outbox()", events).outbox();
  }

  public Set<Dependency> dependencies() {
    return dependencies;
  }

  private <T> T declared(Dependency dependency, String accessor, T value) {
    if (!dependencies.contains(dependency)) {
      throw new IllegalStateException(definition.name() + " asks for " + accessor + " but does not declare "
        + dependency + " in its ServiceDefinition.dependencies()");
    }
    return value;
  }

  /** The port the HTTP server actually listens on (differs from the setting when that is 0). */
  public int httpPort() {
    return httpPort;
  }

  void httpPort(int port) {
    httpPort = port;
  }

  /**
   * Every request under the service's gateway prefix passes {@code guard} before its body is read, but those of
   * {@code publicPaths} (route paths: anyone may call them; a credential they take, a password or a signature, is
   * their action's to check). Called once, from {@link ServiceDefinition#init}; the HTTP verticles install it ahead of
   * body handling ({@link Authentication}). {@code guard} must let a request whose caller it already knows pass.
   */
  public void authenticateFirst(Handler<RoutingContext> guard, String... publicPaths) {
    if (authentication != null) {
      throw new IllegalStateException(definition.name() + " registers its guard twice");
    }
    authentication = new Authentication(guard, List.of(publicPaths));
  }

  /** What {@link #authenticateFirst} registered, or null (no guard: every request is anyone's). */
  Authentication authentication() {
    return authentication;
  }

  /** The request-body bytes this instance holds at once, shared by its HTTP verticles. */
  BodyBudget bodyBudget() {
    return bodyBudget;
  }

  /** Registers something to close on shutdown, after HTTP has drained and before the pools close. */
  public synchronized void onClose(Supplier<Future<?>> hook) {
    closeHooks.add(hook);
  }

  synchronized List<Supplier<Future<?>>> closeHooks() {
    return List.copyOf(closeHooks);
  }
}

package com.paysvc.common.launch;

import com.paysvc.common.config.Config;
import com.paysvc.common.config.Setting;
import com.paysvc.common.config.Topology;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What makes a service a service: its name, defaults, dependencies, extra settings and business routes. */
public interface ServiceDefinition {

  /** Short name: jar name, database, migration folder ({@code sql/<name>}). */
  String name();

  /** Gateway prefix, e.g. {@code /accounts}; business routes include it. From topology.env ({@code <NAME>_PREFIX}). */
  default String pathPrefix() {
    return Topology.service(name()).prefix();
  }

  /** HTTP_PORT's default, from topology.env ({@code <NAME>_PORT}). */
  default int defaultPort() {
    return Topology.service(name()).port();
  }

  /**
   * What the service takes from the launcher: only these are created, configured and probed by {@code /health/ready}
   * (see {@link Dependency}). A real service names exactly what it uses; the default, everything, serves the
   * plumbing tests' services.
   */
  default Set<Dependency> dependencies() {
    return EnumSet.allOf(Dependency.class);
  }

  /**
   * REDIS_PORT's default: the security state's Redis (topology.env's REDIS_PORT); users' own Redis is the cache's
   * instance. Read only when the service declares {@link Dependency#REDIS}.
   */
  default int defaultRedisPort() {
    return Topology.integer("REDIS_PORT");
  }

  /**
   * REDIS_DB's default, from topology.env ({@code <NAME>_REDIS_DB}); read only when the service declares
   * {@link Dependency#REDIS}.
   */
  default int defaultRedisDb() {
    return Topology.service(name()).redisDb();
  }

  /**
   * Dependencies whose outage makes {@code /health/ready} answer 503, by their probe names (of primary, replica, redis,
   * rabbitmq); each must be one of {@link #dependencies()}.
   */
  Set<String> defaultReadyRequires();

  default List<Setting<?>> extraSettings() {
    return List.of();
  }

  /**
   * Paths whose routes read their body themselves (file uploads: multipart with their own BodyHandler, a larger limit,
   * spooled to disk behind the route's own slots); the common body handling reads nothing there, whatever the type, so
   * the route refuses what it does not take before reading it. Every other body goes through the common body handling,
   * {@code HTTP_BODY_LIMIT_KB} and the body budget. Route paths, matched by the router as the routes are.
   */
  default Set<String> uploadPaths() {
    return Set.of();
  }

  /**
   * POST paths whose routes take an {@code application/x-www-form-urlencoded} body (auth's {@code /auth/token}, RFC
   * 6749's encoding): only there is a form decoded, under {@code HTTP_BODY_LIMIT_KB} and the body budget. Any other
   * form or multipart body (but on {@link #uploadPaths}) is left unread and undecoded: the route answers without it
   * (415 from an operation that takes a JSON body, 404/405 where no route takes the method) and the connection closes
   * after the answer. Route paths, matched by the router as the routes are, like {@link #jsonBodyLimits}.
   */
  default Set<String> formPaths() {
    return Set.of();
  }

  /**
   * Builds the business routes (paths include {@link #pathPrefix()}). Called once per HTTP verticle instance;
   * shared state belongs in {@link #init(ServiceContext)}.
   */
  Future<Router> routes(ServiceContext ctx);

  /**
   * Routes bound on the top router right after the request id and access log, ahead of the ops routes, the guard
   * registered with {@link ServiceContext#authenticateFirst}, body handling and {@link #routes}: for the hottest reads
   * (GET, no body, never read), which then skip the rest of the routing. Their handlers run the guard, apply the access
   * rule and check parameters themselves. Called once per HTTP verticle instance, after {@link #routes}.
   */
  default void hotRoutes(ServiceContext ctx, Router router) {
  }

  /**
   * POST paths whose body is JSON read as raw bytes under a limit of its own (bytes), instead of the common one: the
   * request must say {@code Content-Type: application/json} (else 415) and a declared {@code Content-Length} over the
   * limit is refused (413) before anything is read, so an unauthenticated caller can make the service buffer no more
   * than the limit and no form decoder runs on it. Refusals are counted ({@code paysvc_http_body_refused_total}). Route
   * paths, matched by the router as the routes are: every spelling that reaches the route gets its rules. Another method
   * on such a path is no such route (405), not a body of the wrong type: it gets the common rules.
   */
  default Map<String, Integer> jsonBodyLimits(Config config) {
    return Map.of();
  }

  /** One-shot commands of the jar besides run and migrate, by name (listed by {@code --help}). */
  default Map<String, ServiceCommand> commands() {
    return Map.of();
  }

  /**
   * Creates what the HTTP verticles share (caches, clients, consumers) and registers the service's guard with its
   * public paths ({@link ServiceContext#authenticateFirst}). Runs once, before they deploy.
   */
  default Future<Void> init(ServiceContext ctx) {
    return Future.succeededFuture();
  }
}

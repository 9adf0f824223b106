package com.paysvc.common.launch;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service takes only what it declares: without Postgres, Redis or RabbitMQ declared, it needs none of their
 * settings, opens none of their clients, and its {@code /health/ready} probes none of them. No server is needed:
 * the service binds 127.0.0.1 on an ephemeral port and nothing else.
 */
class DependenciesTest {
  private static final Map<String, String> NO_INFRASTRUCTURE = Map.of("EVENT_LOOPS", "1");

  /** A service that declares {@code dependencies} and runs {@code init} (on the context) at start. */
  private static ServiceDefinition service(Set<Dependency> dependencies, Consumer<ServiceContext> init) {
    return new ServiceDefinition() {
      @Override
      public String name() {
        return "bare";
      }

      @Override
      public String pathPrefix() {
        return "/bare";
      }

      @Override
      public int defaultPort() {
        return 0;
      }

      @Override
      public Set<Dependency> dependencies() {
        return dependencies;
      }

      @Override
      public Set<String> defaultReadyRequires() {
        return Set.of();
      }

      @Override
      public Future<Void> init(ServiceContext ctx) {
        init.accept(ctx);
        return Future.succeededFuture();
      }

      @Override
      public Future<Router> routes(ServiceContext ctx) {
        return Future.succeededFuture(Router.router(ctx.vertx()));
      }
    };
  }

  private record Outcome(int code, String out, String err) {
  }

  private static Outcome run(ServiceDefinition def, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServiceLauncher.run(def, args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aServiceThatDeclaresNothingStartsWithoutInfrastructureAndIsReady() throws Exception {
    ServiceLauncher launcher = ServiceLauncher.startForTest(service(EnumSet.noneOf(Dependency.class), ctx -> {
    }), NO_INFRASTRUCTURE).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      ServiceContext ctx = launcher.context();
      HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + ctx.httpPort() + "/health/ready")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      JsonObject body = new JsonObject(ready.body());
      assertEquals("UP", body.getString("status"), ready.body());
      assertTrue(body.getJsonArray("checks").isEmpty(), "nothing probed: " + ready.body());
      // No Db was built (it registers its fallback counter when it is).
      assertNull(ctx.registry().find("paysvc_db_replica_fallback").counter());
      IllegalStateException db = assertThrows(IllegalStateException.class, ctx::db);
      assertTrue(db.getMessage().contains("does not declare PRIMARY"), db.getMessage());
      assertThrows(IllegalStateException.class, ctx::redis);
      assertThrows(IllegalStateException.class, ctx::events);
      assertThrows(IllegalStateException.class, ctx::outbox);
    } finally {
      launcher.stop().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void askingForAnUndeclaredDependencyFailsTheStartNamingIt() {
    Future<ServiceLauncher> start = ServiceLauncher.startForTest(
      service(EnumSet.noneOf(Dependency.class), ServiceContext::redis), NO_INFRASTRUCTURE);
    Exception e = assertThrows(Exception.class, () -> start.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(String.valueOf(e.getCause().getMessage()).contains("bare asks for redis() but does not declare REDIS"),
      String.valueOf(e.getCause()));
  }

  @Test
  void helpListsOnlyTheSettingsOfDeclaredDependencies() {
    Outcome bare = run(service(EnumSet.noneOf(Dependency.class), ctx -> {
    }), Map.of(), "--help");
    assertEquals(0, bare.code());
    for (String unused : new String[] {"PG_PASSWORD", "PG_WRITE_HOST", "PG_READ_PORT", "PG_DATABASE", "MIGRATE_ON_START",
      "REDIS_DB", "RABBITMQ_PASSWORD", "EVENTS_QUEUE"}) {
      assertFalse(bare.out().contains(unused + " "), unused + " listed: " + bare.out());
    }
    assertTrue(bare.out().contains("HTTP_PORT"), bare.out());

    Outcome primaryOnly = run(service(EnumSet.of(Dependency.PRIMARY), ctx -> {
    }), Map.of(), "--help");
    assertTrue(primaryOnly.out().contains("PG_PASSWORD"), primaryOnly.out());
    assertTrue(primaryOnly.out().contains("PG_WRITE_HOST"), primaryOnly.out());
    assertFalse(primaryOnly.out().contains("PG_READ_HOST"), primaryOnly.out());
    assertFalse(primaryOnly.out().contains("RABBITMQ_PASSWORD"), primaryOnly.out());
  }

  @Test
  void readyRequiresMayNameOnlyDeclaredDependencies() {
    Outcome o = run(service(EnumSet.of(Dependency.PRIMARY), ctx -> {
    }), Map.of("PG_PASSWORD", "x", "READY_REQUIRES", "primary,redis"));
    assertEquals(ServiceLauncher.EXIT_CONFIG, o.code());
    assertTrue(o.err().contains("READY_REQUIRES names 'redis', which bare does not use (it uses: primary)"), o.err());
  }

  @Test
  void eventsAndTheReplicaNeedThePrimary() {
    Outcome o = run(service(EnumSet.of(Dependency.EVENTS), ctx -> {
    }), Map.of(), "--help");
    assertEquals(ServiceLauncher.EXIT_CONFIG, o.code());
    assertTrue(o.err().contains("its ServiceDefinition declares EVENTS without PRIMARY"), o.err());
  }
}

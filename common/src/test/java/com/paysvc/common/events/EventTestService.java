package com.paysvc.common.events;

import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.Set;
import java.util.function.Consumer;

/** A minimal service for the events tests: database migrations from db/evtest, handlers given by the test. */
final class EventTestService implements ServiceDefinition {
  private final Consumer<Events> handlers;

  EventTestService(Consumer<Events> handlers) {
    this.handlers = handlers;
  }

  @Override
  public String name() {
    return "evtest";
  }

  @Override
  public String pathPrefix() {
    return "/evtest";
  }

  @Override
  public int defaultPort() {
    return 0;
  }

  @Override
  public int defaultRedisDb() {
    return 15;
  }

  @Override
  public Set<String> defaultReadyRequires() {
    return Set.of("primary");
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(Router.router(ctx.vertx()));
  }

  @Override
  public Future<Void> init(ServiceContext ctx) {
    handlers.accept(ctx.events());
    return Future.succeededFuture();
  }
}

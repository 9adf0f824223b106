package com.paysvc.webhook;

import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.Set;

/** The webhook service: port 8000, gateway prefix /webhooks, database webhook. */
public final class WebhookService implements ServiceDefinition {

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public String pathPrefix() {
    return "/webhooks";
  }

  @Override
  public int defaultPort() {
    return 8000;
  }

  @Override
  public int defaultRedisDb() {
    return 0;
  }

  @Override
  public Set<String> defaultReadyRequires() {
    // Accepting a notification needs only the primary: the outbox holds events while the broker is away.
    return Set.of("primary");
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(Router.router(ctx.vertx()));
  }
}

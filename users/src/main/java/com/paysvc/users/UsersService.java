package com.paysvc.users;

import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.Set;

/** The users service: port 8002, gateway prefix /accounts, database users. */
public final class UsersService implements ServiceDefinition {

  @Override
  public String name() {
    return "users";
  }

  @Override
  public String pathPrefix() {
    return "/accounts";
  }

  @Override
  public int defaultPort() {
    return 8002;
  }

  @Override
  public int defaultRedisDb() {
    return 1;
  }

  @Override
  public Set<String> defaultReadyRequires() {
    // Redis is only a cache here (reads fall back to Postgres) and the replica falls back to the primary.
    return Set.of("primary");
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(Router.router(ctx.vertx()));
  }
}

package com.paysvc.auth;

import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.Set;

/** The auth service: port 8001, gateway prefix /auth, database auth. */
public final class AuthService implements ServiceDefinition {

  @Override
  public String name() {
    return "auth";
  }

  @Override
  public String pathPrefix() {
    return "/auth";
  }

  @Override
  public int defaultPort() {
    return 8001;
  }

  @Override
  public int defaultRedisDb() {
    return 0;
  }

  @Override
  public Set<String> defaultReadyRequires() {
    // Without Redis the token deny-list and login rate limits cannot be enforced: fail closed.
    return Set.of("primary", "redis");
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(Router.router(ctx.vertx()));
  }
}

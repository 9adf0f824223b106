package com.paysvc.common.launch;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.http.AccessLog;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.FailureHandler;
import com.paysvc.common.http.MalformedRequests;
import com.paysvc.common.http.NoStore;
import com.paysvc.common.http.OpsRoutes;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.redis.LoopRedis;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP server: common plumbing, the hot routes, ops routes, then under the service's prefix the
 * caller's identity and the body (docs/architecture.md, the request path of every request), then the service's routes.
 */
final class HttpVerticle extends VerticleBase {
  private final ServiceContext ctx;
  private final String openapiYaml;
  private HttpServer server;

  HttpVerticle(ServiceContext ctx, String openapiYaml) {
    this.ctx = ctx;
    this.openapiYaml = openapiYaml;
  }

  @Override
  public Future<?> start() {
    // Requests are served here: Redis commands of this event loop go over a connection it holds (LoopRedis).
    LoopRedis.holdConnectionsOn(context);
    ServiceDefinition def = ctx.definition();
    return def.routes(ctx).compose(serviceRoutes -> {
      Router router = Router.router(vertx);
      router.route().handler(new RequestId()).handler(new AccessLog(ctx.config().get(CommonSettings.ACCESS_LOG_SAMPLE),
        ctx.config().get(CommonSettings.ACCESS_LOG_SLOW_MS))).handler(new NoStore());
      def.hotRoutes(ctx, router);
      // Probes, metrics and docs: GETs with nothing to read, open to anyone, served before identity and bodies.
      for (String prefix : new String[] {"", def.pathPrefix()}) {
        OpsRoutes.mount(router, prefix, def.name(), ctx.readiness(), ctx.registry(), openapiYaml);
      }
      // Under the service's prefix: who the caller is (its guard, but on the public paths), then the body's rules, the
      // budget and the read; only then the service's routes. Nothing outside the prefix has a body to read.
      String area = def.pathPrefix() + "/*";
      Authentication authentication = ctx.authentication();
      if (authentication != null) {
        authentication.install(router, area);
      }
      new RequestBodies(ctx.bodyBudget(), ctx.config().get(CommonSettings.BODY_LIMIT_KB) * 1024L,
        def.jsonBodyLimits(ctx.config()), def.uploadPaths(), def.formPaths(), ctx.registry()).install(router, area);
      router.route("/*").subRouter(serviceRoutes);
      router.route().handler(rc -> rc.fail(new ApiException(ErrorCode.NOT_FOUND, "no such route")));
      router.route().failureHandler(new FailureHandler());
      // A request the router cannot even match (a malformed %-escape in the path) never reaches the failure handler:
      // without this Vert.x answers a plain-text "Bad Request" instead of the error shape.
      router.errorHandler(400, rc -> {
        if (!rc.response().ended()) {
          rc.response().setStatusCode(400).putHeader("Content-Type", "application/json")
            .end(ApiException.validation("malformed request").toJson().toBuffer());
        }
      });
      HttpServerOptions options = new HttpServerOptions()
        .setHost(ctx.config().get(CommonSettings.HTTP_HOST))
        .setPort(ctx.config().get(ctx.settings().httpPort))
        .setTcpNoDelay(true)
        .setIdleTimeout(120);
      return vertx.createHttpServer(options).requestHandler(MalformedRequests.answeringBrokenBodies(router))
        .invalidRequestHandler(new MalformedRequests()).listen();
    }).onSuccess(s -> {
      server = s;
      ctx.httpPort(s.actualPort());
    });
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // Stop accepting, let in-flight requests finish (up to the grace period), then close the connections.
    return server.shutdown(ctx.config().get(CommonSettings.SHUTDOWN_GRACE_SECONDS), TimeUnit.SECONDS);
  }
}

package com.paysvc.common.launch;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.http.AccessLog;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.FailureHandler;
import com.paysvc.common.http.MalformedRequests;
import com.paysvc.common.http.OpsRoutes;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.redis.LoopRedis;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import io.micrometer.core.instrument.Counter;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** One event loop's HTTP server: common plumbing, ops routes, then the service's routes. */
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
        ctx.config().get(CommonSettings.ACCESS_LOG_SLOW_MS)));
      def.hotRoutes(ctx, router);
      long limit = ctx.config().get(CommonSettings.BODY_LIMIT_KB) * 1024L;
      BodyHandler bodies = BodyHandler.create(false).setBodyLimit(limit);
      Map<String, JsonBody> jsonBodies = new HashMap<>();
      def.jsonBodyLimits(ctx.config()).forEach((path, max) -> jsonBodies.put(path, new JsonBody(path, max, ctx.registry())));
      // Upload routes install their own BodyHandler with a larger limit; raw JSON paths have theirs; everything else is
      // capped here.
      Set<String> uploadPaths = def.uploadPaths();
      router.route().handler(rc -> {
        if (hasNoBody(rc.request())) {
          rc.next();
          return;
        }
        JsonBody json = jsonBodies.get(rc.normalizedPath());
        if (json != null) {
          json.handle(rc);
        } else if (isMultipart(rc.request().getHeader("Content-Type")) && uploadPaths.contains(rc.normalizedPath())) {
          rc.next();
        } else {
          bodies.handle(rc);
        }
      });
      for (String prefix : new String[] {"", def.pathPrefix()}) {
        OpsRoutes.mount(router, prefix, def.name(), ctx.readiness(), ctx.registry(), openapiYaml);
      }
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
      return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(new MalformedRequests()).listen();
    }).onSuccess(s -> {
      server = s;
      ctx.httpPort(s.actualPort());
    });
  }

  /** The body handling of one raw-JSON path (see {@link ServiceDefinition#jsonBodyLimits}). */
  private static final class JsonBody {
    private final BodyHandler bodies;
    private final long max;
    private final Counter tooLarge;
    private final Counter notJson;

    JsonBody(String path, int max, io.micrometer.core.instrument.MeterRegistry registry) {
      this.bodies = BodyHandler.create(false).setBodyLimit(max);
      this.max = max;
      this.tooLarge = counter(registry, path, "too_large");
      this.notJson = counter(registry, path, "not_json");
    }

    private static Counter counter(io.micrometer.core.instrument.MeterRegistry registry, String path, String reason) {
      return Counter.builder("paysvc_http_body_refused").tag("path", path).tag("reason", reason)
        .description("request bodies refused before they were read").register(registry);
    }

    void handle(io.vertx.ext.web.RoutingContext rc) {
      String type = rc.request().getHeader("Content-Type");
      if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        notJson.increment();
        rc.fail(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json"));
        return;
      }
      String length = rc.request().getHeader("Content-Length");
      if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19 && Long.parseLong(length) > max) {
        tooLarge.increment();
        rc.fail(new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + max + " bytes"));
        return;
      }
      // A chunked body over the limit: the BodyHandler stops reading and fails with 413.
      rc.addEndHandler(ar -> {
        if (rc.response().getStatusCode() == 413) {
          tooLarge.increment();
        }
      });
      bodies.handle(rc);
    }
  }

  /** A GET or HEAD that declares no body: nothing to read or limit (most requests; the body handler costs each one). */
  private static boolean hasNoBody(HttpServerRequest request) {
    HttpMethod m = request.method();
    return (m == HttpMethod.GET || m == HttpMethod.HEAD) && request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
      && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null;
  }

  private static boolean isMultipart(String contentType) {
    return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
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

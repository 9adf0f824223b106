package com.paysvc.common.launch;

import com.paysvc.common.config.Config;
import com.paysvc.common.http.AccessRule;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.Operations;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A service on the common runtime with what the request path is made of and no infrastructure: a guard (token
 * "good" at once, "slow" after 300 ms, anything else 401) registered with public paths, a raw-JSON path with its own
 * limit (public, like 2can's), an upload path, a form path (like auth's token), an operation of a contract bound as
 * the services bind theirs ({@link Operations}: a JSON body), and routes that say what reached them.
 */
final class GatedService implements ServiceDefinition {
  static final String GUARD_KEY = "gate.caller";
  static final int RAW_LIMIT = 64;
  static final long UPLOAD_LIMIT = 4L * 1024 * 1024;
  /** Tokens the guard verified (a request whose caller is known passes without counting). */
  final AtomicInteger verifications = new AtomicInteger();
  private final Set<Dependency> dependencies;
  private final Path uploads;

  GatedService(Set<Dependency> dependencies, Path uploads) {
    this.dependencies = dependencies;
    this.uploads = uploads;
  }

  @Override
  public String name() {
    return "gate";
  }

  @Override
  public String pathPrefix() {
    return "/gate";
  }

  @Override
  public int defaultPort() {
    return 0;
  }

  @Override
  public int defaultRedisDb() {
    return 2;
  }

  @Override
  public Set<Dependency> dependencies() {
    return dependencies.isEmpty() ? EnumSet.noneOf(Dependency.class) : EnumSet.copyOf(dependencies);
  }

  @Override
  public Set<String> defaultReadyRequires() {
    return Set.of();
  }

  @Override
  public Map<String, Integer> jsonBodyLimits(Config config) {
    return Map.of("/gate/raw", RAW_LIMIT);
  }

  @Override
  public Set<String> uploadPaths() {
    return Set.of("/gate/upload");
  }

  @Override
  public Set<String> formPaths() {
    return Set.of("/gate/form");
  }

  /** One operation, {@code POST /gate/thing}, which takes a JSON object. */
  private static final JsonObject CONTRACT = new JsonObject("""
    {"openapi": "3.1.0", "info": {"title": "gate", "version": "1"},
     "paths": {"/gate/thing": {"post": {"operationId": "createThing",
       "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
       "responses": {"201": {"description": "created"}, "415": {"description": "not JSON"}}}}}}
    """);

  @Override
  public Future<Void> init(ServiceContext ctx) {
    ctx.authenticateFirst(guard(ctx), "/gate/public", "/gate/raw");
    return Future.succeededFuture();
  }

  private Handler<RoutingContext> guard(ServiceContext ctx) {
    return rc -> {
      if (rc.get(GUARD_KEY) != null) {
        rc.next();
        return;
      }
      String token = rc.request().getHeader("Authorization");
      if ("Bearer good".equals(token)) {
        verifications.incrementAndGet();
        rc.put(GUARD_KEY, "good");
        rc.next();
      } else if ("Bearer slow".equals(token)) {
        ctx.vertx().setTimer(300, id -> {
          verifications.incrementAndGet();
          rc.put(GUARD_KEY, "slow");
          rc.next();
        });
      } else {
        rc.fail(new ApiException(ErrorCode.UNAUTHORIZED, "missing bearer token"));
      }
    };
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    Router r = Router.router(ctx.vertx());
    Handler<RoutingContext> guard = ctx.authentication().guard();
    // Installed again in front of the guarded routes, as the services' routers do: it must pass a known caller.
    r.route("/gate/echo").handler(guard);
    r.route("/gate/hello").handler(guard);
    r.post("/gate/echo").handler(rc -> rc.json(bodyInfo(rc).put("caller", (String) rc.get(GUARD_KEY))));
    r.get("/gate/hello").handler(rc -> rc.json(new JsonObject().put("caller", (String) rc.get(GUARD_KEY))));
    r.post("/gate/public").handler(rc -> rc.json(bodyInfo(rc)));
    r.post("/gate/raw").handler(rc -> rc.json(bodyInfo(rc)));
    r.post("/gate/upload").handler(BodyHandler.create(uploads.toString()).setBodyLimit(UPLOAD_LIMIT)
      .setDeleteUploadedFilesOnEnd(true));
    r.post("/gate/upload").handler(rc -> rc.json(new JsonObject().put("files", rc.fileUploads().size())
      .put("size", rc.fileUploads().stream().mapToLong(f -> f.size()).sum())));
    r.post("/gate/form").handler(rc -> rc.json(new JsonObject().put("fields", rc.request().formAttributes().size())
      .put("grant_type", rc.request().formAttributes().get("grant_type"))));
    r.route("/gate/thing").handler(guard);
    // A copy each time: the contract loader changes the document it is given.
    return OpenAPIContract.from(ctx.vertx(), CONTRACT.copy()).map(contract -> {
      Operations ops = new Operations(ctx.vertx(), contract, Map.of());
      ops.json("createThing", 201, AccessRule.checkedBy("a known caller"),
        rc -> Future.succeededFuture(bodyInfo(rc).toBuffer()));
      // Mounted as the services mount theirs: the contract's paths are whole paths.
      r.route("/*").subRouter(ops.router());
      return r;
    });
  }

  private static JsonObject bodyInfo(RoutingContext rc) {
    return new JsonObject().put("bytes", rc.body().buffer() == null ? -1 : rc.body().buffer().length());
  }
}

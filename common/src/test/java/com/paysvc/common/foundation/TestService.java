package com.paysvc.common.foundation;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import com.paysvc.common.launch.ServiceLauncher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Set;

/** A minimal service on the common runtime, for testing the plumbing every real service gets. */
public final class TestService implements ServiceDefinition {

  public static void main(String[] args) {
    ServiceLauncher.main(new TestService(), args);
  }

  @Override
  public String name() {
    return "testsvc";
  }

  @Override
  public String pathPrefix() {
    return "/test";
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
  public Set<String> defaultReadyRequires() {
    return Set.of("primary", "redis");
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    Router r = Router.router(ctx.vertx());
    // A slow request: the graceful-shutdown test sends SIGTERM while it is in flight.
    r.get("/test/slow").handler(rc -> ctx.vertx().setTimer(1500, id -> rc.json(new JsonObject().put("slow", true))));
    r.post("/test/echo").handler(rc -> rc.json(rc.body().asJsonObject()));
    r.get("/test/boom").handler(rc -> {
      throw new IllegalStateException("secret internal detail");
    });
    r.get("/test/teapot").handler(rc -> rc.fail(ApiException.validation("bad teapot")));
    r.get("/test/where").handler(rc -> ctx.db()
      .read(c -> c.preparedQuery("SELECT * FROM probe.where_am_i_v1()").execute())
      .onSuccess(rows -> {
        Row row = rows.iterator().next();
        rc.json(new JsonObject().put("in_recovery", row.getBoolean(0)).put("port", row.getInteger(1)));
      })
      .onFailure(rc::fail));
    r.post("/test/write").handler(rc -> ctx.db()
      .tx(c -> c.preparedQuery("SELECT probe.record_write_v1($1)").execute(Tuple.of("http")))
      .onSuccess(rows -> rc.json(new JsonObject().put("id", rows.iterator().next().getLong(0))))
      .onFailure(rc::fail));
    return Future.succeededFuture(r);
  }
}

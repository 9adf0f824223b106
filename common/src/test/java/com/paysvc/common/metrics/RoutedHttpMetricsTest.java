package com.paysvc.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP server metrics of ServiceMetrics, measured through a real Vert.x server and client (no other server). */
class RoutedHttpMetricsTest {
  private SimpleMeterRegistry registry;
  private Vertx vertx;
  private HttpClient client;
  private int port;

  @BeforeEach
  void start() throws Exception {
    registry = new SimpleMeterRegistry();
    vertx = Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
      .withMetrics(new ServiceMetrics(registry))
      .build();
    Router router = Router.router(vertx);
    router.route().handler(rc -> rc.next());
    router.get("/items/:id").handler(rc -> rc.response().end(rc.pathParam("id")));
    Router sub = Router.router(vertx);
    sub.post("/orders").handler(rc -> rc.response().setStatusCode(201).end());
    router.route("/shop/*").subRouter(sub);
    router.route().handler(rc -> rc.response().setStatusCode(404).end());
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"), 10);
    port = server.actualPort();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close(), 10);
  }

  private int call(HttpMethod method, String uri) throws Exception {
    return await(client.request(method, port, "127.0.0.1", uri)
      .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode()))), 10);
  }

  private Counter requests(String route, String method, String code) {
    return registry.find("vertx.http.server.requests").tags("route", route, "method", method, "code", code).counter();
  }

  @Test
  void requestsAreCountedAndTimedByRouteTemplateMethodAndStatus() throws Exception {
    assertEquals(200, call(HttpMethod.GET, "/items/1"));
    assertEquals(200, call(HttpMethod.GET, "/items/2?x=y"));
    assertEquals(201, call(HttpMethod.POST, "/shop/orders"));
    assertEquals(404, call(HttpMethod.GET, "/nowhere/7"));

    Counter items = requests("/items/:id", "GET", "200");
    assertNotNull(items, "one series for every id of the route: " + registry.getMetersAsString());
    assertEquals(2.0, items.count());
    Timer time = registry.find("vertx.http.server.response.time").tags("route", "/items/:id", "code", "200").timer();
    assertNotNull(time);
    assertEquals(2, time.count());
    assertTrue(time.totalTime(TimeUnit.NANOSECONDS) > 0);
    // A route of a sub-router is named by its own path, as matched under the mount.
    assertEquals(1.0, requests("/orders", "POST", "201").count(), registry.getMetersAsString());
    // No path route matched: one series for all of them, not one per raw path.
    assertEquals(1.0, requests(RoutedHttpMetrics.NO_ROUTE, "GET", "404").count());
    assertNull(registry.find("vertx.http.server.requests").tag("route", "/nowhere/7").counter());
    assertEquals(0.0, registry.get("vertx.http.server.active.requests").gauge().value(), "every request ended");
  }
}

package com.paysvc.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A route's answer from its action's future. */
class EndpointTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @Test
  void aRequestAnsweredWhileItsActionRanIsNotAnsweredAgain() {
    // What a malformed chunk does to a request whose action is still running (MalformedRequests answers it at once).
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(unhandled::add);
    Router router = Router.router(vertx);
    router.get("/x").handler(Endpoint.json(rc -> {
      rc.response().setStatusCode(400).end("answered");
      // Its result comes later, as a read's from Redis or Postgres.
      return vertx.timer(20).map(v -> Buffer.buffer("{}"));
    }, 200));
    int port = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> r = await(client.get(port, "127.0.0.1", "/x").send());
    assertEquals(400, r.statusCode());
    assertEquals("answered", r.bodyAsString());
    await(vertx.timer(200));
    // Writing the action's answer to it threw "Response head already sent" on the event loop.
    assertEquals(List.of(), unhandled);
  }
}

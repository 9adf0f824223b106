package com.paysvc.common.http;

import com.paysvc.testing.RawConnection;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UnreadBody#closeAfterAnswer}: the connection of a request answered with its body unread ends after the
 * answer, whoever answers; a body read by then changes nothing, and a failure while it is read is still answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnreadBodyTest {
  private static final Map<String, String> FORM = Map.of("Content-Type", "application/x-www-form-urlencoded");
  private final Vertx vertx = Vertx.vertx();
  private int port;

  @BeforeAll
  void start() {
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      UnreadBody.closeAfterAnswer(rc);
      rc.next();
    });
    // Answered without reading the body.
    router.post("/unread").handler(rc -> rc.response().end("{}"));
    // The body read by a BodyHandler (a route's own, as the upload's), then answered.
    router.post("/read").handler(BodyHandler.create(false)).handler(rc -> rc.json(new JsonObject()
      .put("fields", rc.request().formAttributes().size())));
    router.route().failureHandler(new FailureHandler());
    port = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void anAnswerWithTheBodyUnreadClosesTheConnection() {
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head("POST", "/unread", Map.of("Content-Type", "text/plain", "Content-Length", "100000")));
      c.send(bytes("x".repeat(1000)));
      RawConnection.Response r = c.response(3_000);
      assertEquals(200, r.status());
      assertEquals("close", r.header("Connection"));
      assertTrue(c.closedWithin(UnreadBody.LINGER_MS + 3_000), "connection closed");
    }
  }

  @Test
  void aBodyReadBeforeTheAnswerKeepsItsConnection() {
    try (RawConnection c = RawConnection.open(port)) {
      for (int i = 0; i < 2; i++) {
        c.send(RawConnection.request("POST", "/read", FORM, bytes("a=1&b=2")));
        RawConnection.Response r = c.response(3_000);
        assertEquals(200, r.status(), r.body());
        assertEquals(2, new JsonObject(r.body()).getInteger("fields"));
        assertNull(r.header("Connection"));
      }
    }
  }

  @Test
  void aBodyThatFailsWhileItIsReadIsStillAnswered() {
    // The decoder's failure reaches the context's end handlers before the BodyHandler: taking the request there left
    // the failure without its handler, and the request without an answer.
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.request("POST", "/read", FORM, bytes("grant_type=%")));
      RawConnection.Response r = c.response(3_000);
      assertEquals(400, r.status(), r.body());
      assertEquals("VALIDATION_ERROR", new JsonObject(r.body()).getString("error_code"));
    }
  }
}

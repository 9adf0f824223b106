package com.paysvc.common.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines logged while a request is handled carry its request id, also after async hops; other lines do not. */
class RequestIdLoggingTest {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger("test.request-id");

  private record Line(String message, String requestId, String thread) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Line> seen = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent e) {
      // Read on the logging thread, as the async appender does.
      seen.add(new Line(e.getMessage(), e.getMDCPropertyMap().get("request_id"), e.getThreadName()));
    }
  };
  // The server runs on this one event-loop context: every request is then served on the same thread, and a line
  // logged on the context itself is on that thread too but outside any request.
  private final Context serverContext = vertx.getOrCreateContext();
  private final Set<Context> requestContexts = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void attach() {
    capture.start();
    ((Logger) LoggerFactory.getLogger("test.request-id")).addAppender(capture);
  }

  @AfterEach
  void close() throws Exception {
    ((Logger) LoggerFactory.getLogger("test.request-id")).detachAppender(capture);
    await(vertx.close());
  }

  @Test
  void everyLineOfARequestCarriesItsIdAndNoOtherLineDoes() throws Exception {
    Router router = router();
    router.get("/x").handler(rc -> {
      log.info("in the handler");
      vertx.executeBlocking(() -> {
          log.info("on a worker");
          return "worked";
        })
        .compose(v -> {
          log.info("after a worker hop");
          return Future.future(p -> vertx.setTimer(5, t -> p.complete()));
        })
        .onComplete(ar -> {
          log.info("after a timer");
          rc.end();
        });
    });
    int port = listen(router);
    HttpClient client = vertx.createHttpClient();
    for (String id : List.of("req-one", "req-two")) {
      await(get(client, port, "/x", id));
      assertEquals(4, seen.size(), seen.toString());
      seen.forEach(line -> assertEquals(id, line.requestId(), line.toString()));
      seen.clear();
    }
    // On the event loop that just handled the requests (its thread's MDC had their ids), outside a request.
    logOnServerContext("outside any request");
    assertNull(seen.get(0).requestId());
    // What makes the id per request: each request ran on a context of its own, not on the event loop's.
    assertEquals(2, requestContexts.size());
    assertFalse(requestContexts.contains(serverContext));
  }

  /**
   * Two requests interleaved on one event loop: the first waits (off the loop) until the second was handled, then
   * logs again on the same thread, whose MDC the second request just set. Neither id leaks into the other's lines.
   */
  @Test
  void interleavedRequestsOnOneEventLoopKeepTheirOwnIds() throws Exception {
    CountDownLatch fastDone = new CountDownLatch(1);
    Promise<Void> slowWaiting = Promise.promise();
    Router router = router();
    router.get("/slow").handler(rc -> {
      log.info("slow: before");
      slowWaiting.complete();
      vertx.executeBlocking(() -> fastDone.await(10, TimeUnit.SECONDS))
        .onComplete(ar -> {
          log.info("slow: after the fast request");
          rc.end();
        });
    });
    router.get("/fast").handler(rc -> {
      log.info("fast");
      rc.end();
      fastDone.countDown();
    });
    int port = listen(router);
    HttpClient client = vertx.createHttpClient();
    Future<Void> slow = get(client, port, "/slow", "req-slow");
    await(slowWaiting.future());
    // A second connection (the first is busy), served by the same event loop.
    await(get(client, port, "/fast", "req-fast"));
    await(slow);
    logOnServerContext("after both");

    assertEquals(List.of("slow: before", "fast", "slow: after the fast request", "after both"),
      seen.stream().map(Line::message).toList());
    assertEquals("req-slow", seen.get(0).requestId());
    assertEquals("req-fast", seen.get(1).requestId());
    assertEquals("req-slow", seen.get(2).requestId());
    assertNull(seen.get(3).requestId());
    assertTrue(seen.stream().map(Line::thread).distinct().count() == 1, "all on one event loop: " + seen);
  }

  /** RequestId first, as the services mount it; every handler notes the context it runs on. */
  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(new RequestId());
    router.route().handler(rc -> {
      requestContexts.add(Vertx.currentContext());
      rc.next();
    });
    return router;
  }

  private int listen(Router router) throws Exception {
    HttpServer server = await(Future.future(p -> serverContext.runOnContext(v ->
      vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").onComplete(p))));
    return server.actualPort();
  }

  private static Future<Void> get(HttpClient client, int port, String path, String requestId) {
    return client.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(req -> req.putHeader(RequestId.HEADER, requestId).send())
      .compose(resp -> resp.body())
      .mapEmpty();
  }

  private void logOnServerContext(String message) throws Exception {
    await(Future.<Void>future(p -> serverContext.runOnContext(v -> {
      log.info(message);
      p.complete();
    })));
  }
}

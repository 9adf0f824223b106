package com.paysvc.common.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Lines logged while a request is handled carry its request id, also after async hops; other lines do not. */
class RequestIdLoggingTest {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger("test.request-id");
  private final Vertx vertx = Vertx.vertx();
  private final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
  private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent e) {
      // Read on the logging thread, as the async appender does.
      seen.add(Map.copyOf(e.getMDCPropertyMap()));
    }
  };

  @AfterEach
  void close() throws Exception {
    ((Logger) LoggerFactory.getLogger("test.request-id")).detachAppender(capture);
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void everyLineOfARequestCarriesItsIdAndNoOtherLineDoes() throws Exception {
    capture.start();
    ((Logger) LoggerFactory.getLogger("test.request-id")).addAppender(capture);
    Router router = Router.router(vertx);
    router.route().handler(new RequestId());
    AtomicReference<Context> serverContext = new AtomicReference<>();
    router.get("/x").handler(rc -> {
      serverContext.set(((ContextInternal) Vertx.currentContext()).unwrap());
      log.info("in the handler");
      vertx.executeBlocking(() -> "worked")
        .compose(v -> {
          log.info("after a worker hop");
          return Future.future(p -> vertx.setTimer(5, t -> p.complete()));
        })
        .onComplete(ar -> {
          log.info("after a timer");
          rc.end();
        });
    });
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    var client = vertx.createHttpClient();
    for (String id : List.of("req-one", "req-two")) {
      await(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/x")
        .compose(req -> req.putHeader(RequestId.HEADER, id).send()).compose(resp -> resp.body()));
      assertEquals(3, seen.size());
      seen.forEach(mdc -> assertEquals(id, mdc.get("request_id")));
      seen.clear();
    }
    // On the same event loop that just handled the requests (its thread's MDC had their ids), outside a request.
    await(Future.<Void>future(p -> serverContext.get().runOnContext(v -> {
      log.info("outside any request");
      p.complete();
    })));
    assertNull(seen.get(0).get("request_id"));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

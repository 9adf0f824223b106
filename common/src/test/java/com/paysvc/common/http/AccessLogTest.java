package com.paysvc.common.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log: every error and slow request, a sample of the rest (all of them when sampling is 1). */
class AccessLogTest {
  private final Vertx vertx = Vertx.vertx();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger access = (Logger) LoggerFactory.getLogger("access");

  @BeforeEach
  void attach() {
    lines.start();
    access.addAppender(lines);
  }

  @AfterEach
  void detach() {
    access.detachAppender(lines);
    await(vertx.close());
  }

  private List<String> serve(AccessLog log, int ok, int missing, int slow) {
    Router router = Router.router(vertx);
    router.route().handler(log);
    router.get("/ok").handler(rc -> rc.response().end("ok"));
    router.get("/slow").handler(rc -> vertx.setTimer(400, t -> rc.response().end("late")));
    router.route().handler(rc -> rc.response().setStatusCode(404).end());
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < ok; i++) {
      sent.add(client.get(server.actualPort(), "127.0.0.1", "/ok").send());
    }
    for (int i = 0; i < missing; i++) {
      sent.add(client.get(server.actualPort(), "127.0.0.1", "/nope").send());
    }
    for (int i = 0; i < slow; i++) {
      sent.add(client.get(server.actualPort(), "127.0.0.1", "/slow").send());
    }
    await(Future.all(sent));
    await(server.close());
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void errorsAndSlowRequestsAreAlwaysLoggedTheRestSampled() {
    // Slow means over 250 ms here, the slow route takes 400: 200 requests sent at once to a cold server took up to
    // 37 ms each on a busy 2-core machine, which a 20 ms bound counted as slow.
    List<String> logged = serve(new AccessLog(1_000_000, 250), 200, 7, 3);
    assertEquals(7, logged.stream().filter(l -> l.startsWith("GET /nope 404 ")).count(), logged::toString);
    assertEquals(3, logged.stream().filter(l -> l.startsWith("GET /slow 200 ")).count(), logged::toString);
    assertTrue(logged.stream().filter(l -> l.startsWith("GET /ok ")).count() <= 1, logged::toString);
  }

  @Test
  void aSampleOfOneLogsEveryRequestWithItsDuration() {
    List<String> logged = serve(new AccessLog(1, 250), 20, 1, 0);
    assertEquals(21, logged.size());
    assertTrue(logged.stream().allMatch(l -> l.matches("GET /(ok 200|nope 404) \\d+\\.\\d{3}ms")), logged::toString);
  }
}

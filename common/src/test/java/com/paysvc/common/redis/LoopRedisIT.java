package com.paysvc.common.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.paysvc.testing.TcpProxy;
import com.paysvc.testing.TestStack;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One held, pipelined connection per event loop against the stack's Redis, and a new one after Redis restarts. */
class LoopRedisIT {
  private Vertx vertx;
  private LoopRedis redis;
  private io.vertx.core.Context served;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    RedisOptions options = new RedisOptions().setConnectionString("redis://127.0.0.1:6379/14").setMaxPoolSize(8)
      .setMaxPoolWaiting(1024);
    String password = System.getenv().getOrDefault("REDIS_PASSWORD", "");
    if (!password.isEmpty()) {
      options.setPassword(password);
    }
    redis = new LoopRedis(Redis.createClient(vertx, options));
    served = vertx.getOrCreateContext();
    LoopRedis.holdConnectionsOn(served);
  }

  @AfterEach
  void stop() {
    await(redis.close());
    await(vertx.close());
  }

  /** Runs {@code work} on one event-loop context marked as a verticle's that serves requests. */
  private <T> T onLoop(Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    served.runOnContext(v -> work.get().onComplete(p));
    return await(p.future());
  }

  private Future<List<Response>> pipelined(int n) {
    List<Future<Response>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(redis.send(Request.cmd(Command.INCR).arg("loopredis:counter")));
    }
    return Future.all(all).map(c -> c.list());
  }

  @Test
  void commandsOfOneLoopShareOneConnectionInOrder() {
    assertEquals("PONG", onLoop(() -> redis.send(Request.cmd(Command.PING))).toString());
    onLoop(() -> redis.send(Request.cmd(Command.DEL).arg("loopredis:counter")));
    List<Response> answers = onLoop(() -> pipelined(500));
    for (int i = 0; i < answers.size(); i++) {
      assertEquals(i + 1, answers.get(i).toInteger(), "answers come back in the order sent");
    }
    assertEquals(1, redis.heldConnections(), "one held connection for the marked context");
    Promise<Response> other = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> redis.send(Request.cmd(Command.PING)).onComplete(other));
    assertEquals("PONG", await(other.future()).toString());
    assertEquals("PONG", await(redis.send(Request.cmd(Command.PING))).toString());
    assertEquals(1, redis.heldConnections(), "an unmarked context and a foreign thread use the pool");
    for (int i = 0; i < 50; i++) {
      Promise<Response> p = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> redis.send(Request.cmd(Command.PING)).onComplete(p));
      await(p.future());
    }
    assertEquals(1, redis.heldConnections(), "50 short-lived contexts did not take connections from the pool");
  }

  /**
   * GETs of one loop turn go out together (one MGET), yet every command is answered in the order issued: a GET
   * before a SET in the same turn sees the old value, one after it the new; a key of another type reads as absent.
   */
  @Test
  void getsOfOneTurnAreSentTogetherInOrderAndAnsweredEachOnItsOwn() {
    onLoop(() -> redis.batch(List.of(Request.cmd(Command.SET).arg("loopredis:k").arg("old"),
      Request.cmd(Command.DEL).arg("loopredis:list"), Request.cmd(Command.RPUSH).arg("loopredis:list").arg("x"))));
    List<String> seen = onLoop(() -> {
      Future<Response> before = LoopRedis.get(redis, "loopredis:k");
      Future<Response> wrongType = LoopRedis.get(redis, "loopredis:list");
      Future<Response> absent = LoopRedis.get(redis, "loopredis:absent");
      Future<Response> set = redis.send(Request.cmd(Command.SET).arg("loopredis:k").arg("new"));
      Future<Response> after = LoopRedis.get(redis, "loopredis:k");
      return Future.join(before, wrongType, absent, set, after).transform(ar -> Future.succeededFuture(List.of(
        String.valueOf(before.result()), String.valueOf(wrongType.result()), String.valueOf(absent.result()),
        String.valueOf(after.result()))));
    });
    assertEquals("old", seen.get(0), "the GET issued before the SET");
    assertEquals("null", seen.get(1), "a key of another type reads as absent");
    assertEquals("null", seen.get(2));
    assertEquals("new", seen.get(3), "the GET issued after the SET");
    assertEquals(1, redis.heldConnections());
  }

  @Test
  void requestsOfAVerticleShareItsConnection() {
    // Requests run on a duplicate of the verticle's context, one per request: they must still share one connection.
    AtomicInteger port = new AtomicInteger();
    await(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        LoopRedis.holdConnectionsOn(context);
        return vertx.createHttpServer().requestHandler(req -> redis.send(Request.cmd(Command.PING))
            .onComplete(ar -> req.response().end(ar.succeeded() ? ar.result().toString() : "failed")))
          .listen(0, "127.0.0.1").onSuccess(s -> port.set(s.actualPort()));
      }
    }));
    WebClient client = WebClient.create(vertx);
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      answers.add(client.get(port.get(), "127.0.0.1", "/").send());
    }
    await(Future.all(answers));
    answers.forEach(f -> assertEquals("PONG", f.result().bodyAsString()));
    assertEquals(1, redis.heldConnections(), "50 requests, one connection");
    client.close();
  }

  @Test
  void aRestartOfRedisIsFollowedByANewConnection() throws Exception {
    var ctx = served;
    Supplier<String> ping = () -> {
      Promise<Response> p = Promise.promise();
      ctx.runOnContext(v -> redis.send(Request.cmd(Command.PING)).onComplete(p));
      try {
        return String.valueOf(await(p.future()));
      } catch (RuntimeException e) {
        return "failed: " + e.getMessage();
      }
    };
    assertEquals("PONG", ping.get());
    TestStack.stack("redis-stop");
    TestStack.stack("redis-start");
    assertTrue(eventually(10_000, () -> ping.get().equals("PONG")),
      "the loop's next commands reach the restarted Redis");
  }

  /**
   * GETs of one turn share one time limit: a Redis that takes the connection but does not answer fails them with a
   * TimeoutException after the limit, instead of leaving the reads waiting for it.
   */
  @Test
  void getsRedisDoesNotAnswerFailAfterTheirTimeLimit() {
    try (TcpProxy proxy = new TcpProxy(6379)) {
      RedisOptions options = new RedisOptions().setConnectionString("redis://127.0.0.1:" + proxy.port() + "/14");
      String password = System.getenv().getOrDefault("REDIS_PASSWORD", "");
      if (!password.isEmpty()) {
        options.setPassword(password);
      }
      LoopRedis stalled = new LoopRedis(Redis.createClient(vertx, options));
      io.vertx.core.Context ctx = vertx.getOrCreateContext();
      LoopRedis.holdConnectionsOn(ctx);
      Promise<Response> opened = Promise.promise();
      ctx.runOnContext(v -> stalled.send(Request.cmd(Command.PING)).onComplete(opened));
      assertEquals("PONG", String.valueOf(await(opened.future())), "the loop holds its connection");
      proxy.stall();
      Promise<List<Throwable>> failed = Promise.promise();
      long start = System.nanoTime();
      ctx.runOnContext(v -> {
        Future<Response> a = LoopRedis.get(stalled, "loopredis:a", 200);
        Future<Response> b = LoopRedis.get(stalled, "loopredis:b", 200);
        Future.join(a, b).onComplete(ar -> failed.complete(List.of(a.cause(), b.cause())));
      });
      List<Throwable> causes = await(failed.future());
      long ms = (System.nanoTime() - start) / 1_000_000;
      causes.forEach(c -> assertTrue(c instanceof java.util.concurrent.TimeoutException, "timed out: " + c));
      assertTrue(ms >= 150, "not before the limit: " + ms + " ms");
      proxy.resume();
      await(stalled.close());
    }
  }
}

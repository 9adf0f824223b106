package com.paysvc.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

import java.util.Map;

/**
 * The floor under a cached read on this machine: a Vert.x HTTP server that answers every request with the bytes of
 * one Redis GET and does nothing else (no routing, no token, no metrics, no log), one pipelined connection per
 * event loop, as many HTTP verticles as event loops, the services' server options. What a cached read costs above
 * this is the service's own work; what this costs is Vert.x, Netty and the kernel's networking on these cores.
 *
 * <p>{@code java -jar loadtest.jar floor-server PORT BYTES} (REDIS_PASSWORD from the environment; bin/bench starts
 * it on 127.0.0.1 and stops it).
 */
final class FloorServer {
  static final String KEY = "bench:floor";

  private FloorServer() {
  }

  static int run(String[] args, Map<String, String> env) {
    int port = Integer.parseInt(args[0]);
    int bytes = Integer.parseInt(args[1]);
    // The services' transport (epoll where it loads) and event loops (one per core): the floor measures their plumbing.
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    RedisOptions redis = new RedisOptions().setConnectionString("redis://127.0.0.1:" + Stack.REDIS_CACHE_PORT + "/1");
    String password = env.getOrDefault("REDIS_PASSWORD", "");
    if (!password.isEmpty()) {
      redis.setPassword(password);
    }
    Redis client = Redis.createClient(vertx, redis);
    Buffer value = Buffer.buffer("{\"id\":\"" + "x".repeat(Math.max(0, bytes - 9)) + "\"}");
    CharSequence json = HttpHeaders.createOptimized("application/json");
    client.send(Request.cmd(Command.SET).arg(KEY).arg(value).arg("EX").arg(3600))
      .compose(v -> vertx.deployVerticle(() -> new VerticleBase() {
        private RedisConnection conn;

        @Override
        public Future<?> start() {
          return client.connect().compose(c -> {
            conn = c;
            return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(120))
              .requestHandler(req -> conn.send(Request.cmd(Command.GET).arg(KEY)).onComplete(ar -> {
                if (ar.succeeded() && ar.result() != null) {
                  req.response().putHeader(HttpHeaders.CONTENT_TYPE, json).end(ar.result().toBuffer());
                } else {
                  req.response().setStatusCode(503).end();
                }
              }))
              .listen(port, "127.0.0.1");
          });
        }
      }, new DeploymentOptions().setInstances(loops)))
      .onSuccess(id -> System.out.println("floor-server: listening on 127.0.0.1:" + port))
      .onFailure(err -> {
        System.err.println("floor-server: " + err);
        System.exit(1);
      });
    return -1;
  }
}

package com.paysvc.common.redis;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * The Redis client of a service, on its logical database: one held, pipelined connection per event loop
 * ({@link LoopRedis}), reconnecting by itself, over a pool that also serves callers outside the event loops.
 */
public final class RedisFactory {
  private RedisFactory() {
  }

  /** A client of the Redis at {@code host:port}, database {@code db}; {@code name} names the pool in the metrics. */
  public static Redis create(Vertx vertx, Config config, String host, int port, int db, String name) {
    return new LoopRedis(Redis.createClient(vertx, options(config, host, port, db, name)
      // Redis is single-threaded and answers in microseconds: a few pipelined connections saturate it. Each event
      // loop holds one of these (at most 4 on this 2-core machine, LoopRedis); the rest serve worker threads.
      .setMaxPoolSize(8)));
  }

  /**
   * A client for one connection in subscribe mode (pub/sub): its own pool of one, so a subscribed connection is never
   * handed to a caller expecting command replies.
   */
  public static Redis subscriber(Vertx vertx, Config config, String host, int port, String name) {
    return Redis.createClient(vertx, options(config, host, port, 0, name).setMaxPoolSize(1));
  }

  private static RedisOptions options(Config config, String host, int port, int db, String name) {
    RedisOptions options = new RedisOptions()
      .setConnectionString("redis://" + host + ":" + port + "/" + db)
      .setMaxPoolWaiting(1024)
      .setMaxWaitingHandlers(4096)
      .setPoolName(name);
    String user = config.get(CommonSettings.REDIS_USER);
    if (!user.isEmpty()) {
      options.setUser(user);
    }
    String password = config.get(CommonSettings.REDIS_PASSWORD);
    if (!password.isEmpty()) {
      options.setPassword(password);
    }
    return options;
  }

  public static Future<?> ping(Redis redis) {
    return redis.send(Request.cmd(Command.PING));
  }
}

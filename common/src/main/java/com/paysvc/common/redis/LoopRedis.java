package com.paysvc.common.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A Redis client that holds one connection per event loop and pipelines every command of that loop on it.
 *
 * <p>The connection-less {@code Redis.send} takes a connection from the pool for each command and gives it back
 * after the answer (vertx-redis-client's BaseRedisClient): on the hot path that is a pool acquisition per command,
 * and under load requests queue for the pool's few connections (its waiting queue overflowing is upstream
 * vertx-redis-client #304/#409/#541). A held connection pipelines instead: commands are written as they come, and
 * Redis answers them in order. Commands from outside an event loop (workers, start-up code on the main thread) use
 * the pool as before, and so does every context not marked with {@link #holdConnectionsOn}.
 *
 * <p>A connection that ends or fails is dropped; the loop's next command opens a new one (a failed open is not
 * remembered either, so every command after an outage tries again, behind the callers' circuit breakers).
 */
public final class LoopRedis implements Redis {
  private final Redis pool;
  /** Context data key marking the event loops that hold a connection. */
  private static final String HOLD = LoopRedis.class.getName() + ".hold";
  /**
   * The held connections, for {@link #close}: one per marked context (the HTTP verticles', as many as HTTP_INSTANCES).
   * Each is also kept in its context's data under this client as key: requests run on duplicates of the verticle's
   * context (one per request), which share its data, so every request of a loop finds the same connection.
   */
  private final Set<Future<RedisConnection>> held = ConcurrentHashMap.newKeySet();

  public LoopRedis(Redis pool) {
    this.pool = pool;
  }

  /**
   * Marks an event-loop context (a verticle's) whose Redis commands go over a held connection. Only marked contexts
   * hold one: code elsewhere may run on many short-lived contexts (a timer set from a foreign thread makes a new one
   * each time), and holding a pooled connection for each would empty the pool and hang every caller.
   */
  public static void holdConnectionsOn(Context ctx) {
    ctx.put(HOLD, Boolean.TRUE);
  }

  @Override
  public Future<Response> send(Request request) {
    return on(c -> c.send(request), () -> pool.send(request));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    return on(c -> c.batch(requests), () -> pool.batch(requests));
  }

  /** A connection of the caller's own (from the pool, not held here). */
  @Override
  public Future<RedisConnection> connect() {
    return pool.connect();
  }

  @Override
  public Future<Void> close() {
    held.forEach(f -> f.onSuccess(RedisConnection::close));
    held.clear();
    return pool.close();
  }

  /** How many event loops hold a connection now (for tests and metrics). */
  public int heldConnections() {
    return (int) held.stream().filter(Future::succeeded).count();
  }

  private <T> Future<T> on(Function<RedisConnection, Future<T>> command, java.util.function.Supplier<Future<T>> pooled) {
    Context ctx = Vertx.currentContext();
    if (ctx == null || !ctx.isEventLoopContext() || ctx.get(HOLD) == null) {
      return pooled.get();
    }
    Future<RedisConnection> conn = ctx.get(this);
    if (conn == null || conn.failed()) {
      conn = open(ctx);
    }
    return conn.compose(command);
  }

  private Future<RedisConnection> open(Context ctx) {
    Promise<RedisConnection> opened = Promise.promise();
    Future<RedisConnection> opening = opened.future();
    ctx.put(this, opening);
    held.add(opening);
    pool.connect().onComplete(ar -> {
      if (ar.succeeded()) {
        RedisConnection c = ar.result();
        c.exceptionHandler(e -> drop(ctx, opening, c));
        c.endHandler(v -> drop(ctx, opening, c));
        opened.complete(c);
      } else {
        held.remove(opening);
        ctx.remove(this);
        opened.fail(ar.cause());
      }
    });
    return opening;
  }

  private void drop(Context ctx, Future<RedisConnection> which, RedisConnection c) {
    if (held.remove(which)) {
      if (ctx.get(this) == which) {
        ctx.remove(this);
      }
      c.close();
    }
  }
}

package com.paysvc.common.redis;

import com.paysvc.common.concurrent.Timeouts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

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
 * <p>{@code GET}s of one event-loop turn are written together: each command's own write(2) was 17 % of users'
 * CPU on cached reads (async-profiler, 8,000 req/s), and the requests read from the sockets in one turn each send
 * one. They are queued and sent as one pipeline when the turn's tasks run; any other command first sends the
 * queued GETs, so a connection's commands keep the order they were issued in.
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
    Held held = held();
    if (held == null) {
      return pool.send(request);
    }
    held.flush();
    return held.conn.compose(c -> c.send(request));
  }

  /**
   * {@code GET key}, coalesced with the other GETs of this event-loop turn when {@code redis} holds connections (a
   * key holding another type then reads as absent instead of failing); a plain GET otherwise.
   */
  public static Future<Response> get(Redis redis, String key) {
    return get(redis, key, 0);
  }

  /**
   * {@link #get(Redis, String)} that fails with a {@link TimeoutException} when Redis has not answered within
   * {@code timeoutMs} (0: no limit). The GETs of one turn share one timer, set when they are sent: a timer per
   * command (a circuit breaker's timeout) cost a cached read more than the rest of its breaker.
   */
  public static Future<Response> get(Redis redis, String key, long timeoutMs) {
    if (redis instanceof LoopRedis loop) {
      Held held = loop.held();
      if (held != null) {
        return held.queue(key, timeoutMs);
      }
    }
    Future<Response> sent = redis.send(Request.cmd(Command.GET).arg(key));
    return timeoutMs > 0 ? Timeouts.within(sent, timeoutMs) : sent;
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    Held held = held();
    if (held == null) {
      return pool.batch(requests);
    }
    held.flush();
    return held.conn.compose(c -> c.batch(requests));
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

  /** The held connection of the current event loop, opened if needed; null off the marked loops. */
  private Held held() {
    Context ctx = Vertx.currentContext();
    if (ctx == null || !ctx.isEventLoopContext() || ctx.get(HOLD) == null) {
      return null;
    }
    Held h = ctx.get(this);
    // Not in the set any more: the connection ended or failed (drop) and the next command opens a new one.
    if (h == null || h.conn.failed() || !held.contains(h.conn)) {
      h = new Held(open());
      ctx.put(this, h);
    }
    return h;
  }

  /**
   * One loop's connection and the GETs of the current turn not written yet. Only that loop's thread touches it.
   */
  private static final class Held {
    final Future<RedisConnection> conn;
    private List<String> gets;
    private List<Promise<Response>> answers;
    /** The shortest time limit asked for by a GET of this turn (0: none). */
    private long timeoutMs;

    Held(Future<RedisConnection> conn) {
      this.conn = conn;
    }

    Future<Response> queue(String key, long limitMs) {
      if (gets == null) {
        gets = new ArrayList<>();
        answers = new ArrayList<>();
        timeoutMs = 0;
        // Runs after the I/O of this turn: every request read meanwhile has queued its GET by then.
        // On the caller's context (this request's), not the one of the request that opened the connection.
        Vertx.currentContext().runOnContext(v -> flush());
      }
      if (limitMs > 0 && (timeoutMs == 0 || limitMs < timeoutMs)) {
        timeoutMs = limitMs;
      }
      Promise<Response> answer = Promise.promise();
      gets.add(key);
      answers.add(answer);
      return answer.future();
    }

    void flush() {
      if (gets == null) {
        return;
      }
      List<String> sending = gets;
      List<Promise<Response>> waiting = answers;
      gets = null;
      answers = null;
      // flush runs on the loop's context (its turn's task, or a command of the loop): never null here.
      Vertx vertx = Vertx.currentContext().owner();
      long timer = timeoutMs > 0 ? deadline(vertx, waiting, timeoutMs) : -1;
      Request request;
      if (sending.size() == 1) {
        request = Request.cmd(Command.GET).arg(sending.get(0));
      } else {
        // One MGET, not a batch of GETs: a batch fails as a whole when one reply is an error, and resending its
        // commands one by one would reorder them after later ones. MGET answers every key (another type: nil).
        request = Request.cmd(Command.MGET);
        sending.forEach(request::arg);
      }
      conn.compose(c -> c.send(request)).onComplete(ar -> {
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
        for (int i = 0; i < waiting.size(); i++) {
          if (ar.failed()) {
            waiting.get(i).tryFail(ar.cause());
          } else {
            waiting.get(i).tryComplete(sending.size() == 1 ? ar.result() : ar.result().get(i));
          }
        }
      });
    }

    /** One timer for the GETs sent together: those not answered within {@code ms} fail. */
    private static long deadline(Vertx vertx, List<Promise<Response>> waiting, long ms) {
      return vertx.setTimer(ms, t -> {
        TimeoutException late = new TimeoutException("Redis did not answer within " + ms + " ms");
        waiting.forEach(p -> p.tryFail(late));
      });
    }
  }

  private Future<RedisConnection> open() {
    Promise<RedisConnection> opened = Promise.promise();
    Future<RedisConnection> opening = opened.future();
    held.add(opening);
    pool.connect().onComplete(ar -> {
      if (ar.succeeded()) {
        RedisConnection c = ar.result();
        c.exceptionHandler(e -> drop(opening, c));
        c.endHandler(v -> drop(opening, c));
        opened.complete(c);
      } else {
        held.remove(opening);
        opened.fail(ar.cause());
      }
    });
    return opening;
  }

  private void drop(Future<RedisConnection> which, RedisConnection c) {
    if (held.remove(which)) {
      c.close();
    }
  }
}

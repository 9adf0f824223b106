package com.paysvc.common.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * auth's revocation state held in memory, so that the guard's check costs map lookups instead of a Redis round
 * trip per request.
 *
 * <p>Fed by the pub/sub channel {@value #CHANNEL}, to which auth publishes every entry it writes ({@link #message}),
 * right after writing it. On every (re)subscription the durable keys are loaded again with {@code SCAN}: subscribing
 * first and scanning second means an entry written before the subscription is found by the scan, and one written
 * after it arrives as a message, so none falls between. Entries are only ever added (a not-before time only
 * raised) and leave memory when their Redis key would expire: a Redis that restarted empty, or missed a write,
 * does not make a live view forget.
 *
 * <p>{@link #live()} is true only while the subscription is up, answers its heartbeat and has been loaded; while it
 * is false the guard checks Redis per request as before.
 */
public final class RevocationView {
  private static final Logger log = LoggerFactory.getLogger(RevocationView.class);
  public static final String CHANNEL = "auth:revocations";
  /** Published by auth after it rewrote everything from its database: views scan again. */
  public static final String RELOAD = "reload";
  private static final String SCAN_PATTERN = "auth:*";
  /** A dead subscription (Redis gone without closing the socket) is noticed within a heartbeat plus its timeout. */
  private static final long HEARTBEAT_MS = 500;
  private static final long HEARTBEAT_TIMEOUT_MS = 500;
  private static final long RETRY_MS = 500;
  private static final long PURGE_MS = 30_000;
  private static final int SCAN_COUNT = 1000;

  /** A value (1 for deny-list entries, epoch seconds for a not-before time) and when it leaves memory (epoch ms). */
  private record Entry(long value, long expiresAtMs) {
  }

  private final Vertx vertx;
  private final Redis subscriber;
  private final Redis reader;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final Counter loads;
  private final Counter messages;
  private volatile boolean live;
  private volatile boolean closed;
  /** Set while an outage was already logged. */
  private volatile boolean quiet;
  /** The current subscription; a callback of an older one changes nothing. */
  private volatile RedisConnection current;
  private long heartbeat = -1;
  private long purge = -1;

  /** {@code subscriber} holds the subscribed connection; {@code reader} (auth's db) serves the scans. */
  public RevocationView(Vertx vertx, Redis subscriber, Redis reader, MeterRegistry registry) {
    this.vertx = vertx;
    this.subscriber = subscriber;
    this.reader = reader;
    this.loads = Counter.builder("paysvc_auth_revocation_view_loads")
      .description("times the in-memory revocation state was loaded from Redis (start, reconnect, auth's reload)")
      .register(registry);
    this.messages = Counter.builder("paysvc_auth_revocation_view_messages")
      .description("revocations received over pub/sub").register(registry);
    Gauge.builder("paysvc_auth_revocation_view_live", () -> live ? 1 : 0)
      .description("1 while the guard checks revocations in memory, 0 while it asks Redis per request").register(registry);
    Gauge.builder("paysvc_auth_revocation_view_entries", entries::size).register(registry);
  }

  /** The message auth publishes for an entry it wrote: the key, its value and when it expires (epoch s). */
  public static String message(String key, long value, long expiresAtEpochSeconds) {
    return key + " " + value + " " + expiresAtEpochSeconds;
  }

  public RevocationView start() {
    connect();
    heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> beat());
    purge = vertx.setPeriodic(PURGE_MS, id -> purgeExpired());
    return this;
  }

  public Future<Void> close() {
    closed = true;
    live = false;
    vertx.cancelTimer(heartbeat);
    vertx.cancelTimer(purge);
    RedisConnection c = current;
    current = null;
    if (c != null) {
      c.close();
    }
    return subscriber.close();
  }

  /** Whether the in-memory state is complete (subscribed and loaded): only then may {@link #revoked} replace Redis. */
  public boolean live() {
    return live;
  }

  /**
   * Whether memory holds a revocation of this token: its {@code (iss, jti)}, its session, or a not-before time of its
   * subject at or after its {@code iat}. Meaningful as the whole answer only while {@link #live()}.
   */
  public boolean revoked(String issuer, String jti, String sessionId, String subject, long issuedAt) {
    if (entries.isEmpty()) {
      return false;
    }
    long now = System.currentTimeMillis();
    if (present(JwtGuard.revokedKey(issuer, jti), now)
      || (sessionId != null && present(JwtGuard.revokedSessionKey(sessionId), now))) {
      return true;
    }
    Entry nbf = entries.get(JwtGuard.userNotBeforeKey(subject));
    return nbf != null && nbf.expiresAtMs() > now && issuedAt <= nbf.value();
  }

  private boolean present(String key, long now) {
    Entry e = entries.get(key);
    return e != null && e.expiresAtMs() > now;
  }

  // ------------------------------------------------------------------------------------------ subscription

  private void connect() {
    if (closed) {
      return;
    }
    subscriber.connect()
      .compose(conn -> {
        current = conn;
        conn.handler(r -> onPush(conn, r));
        conn.exceptionHandler(e -> down(conn, e.toString()));
        conn.endHandler(v -> down(conn, "connection closed"));
        return conn.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL)).map(conn);
      })
      .compose(conn -> load().map(conn))
      .onSuccess(conn -> {
        if (conn == current && !closed) {
          live = true;
          quiet = false;
          log.info("revocation state in memory: {} entries, kept current over {}", entries.size(), CHANNEL);
        }
      })
      .onFailure(err -> {
        RedisConnection c = current;
        if (c != null) {
          down(c, err.toString());
        } else {
          retry(err.toString());
        }
      });
  }

  private void down(RedisConnection conn, String why) {
    if (conn != current) {
      return;
    }
    current = null;
    live = false;
    conn.close();
    retry(why);
  }

  private void retry(String why) {
    if (closed) {
      return;
    }
    // Once per outage, not once per attempt (two a second while Redis is away).
    if (!quiet) {
      quiet = true;
      log.warn("revocation subscription down ({}): checking Redis per request until it is back", why);
    } else {
      log.debug("revocation subscription still down: {}", why);
    }
    vertx.setTimer(RETRY_MS, id -> connect());
  }

  /** A PING on the subscribed connection: a Redis that stopped answering (no FIN) is noticed within a second. */
  private void beat() {
    RedisConnection c = current;
    if (c == null || !live) {
      return;
    }
    c.send(Request.cmd(Command.PING)).timeout(HEARTBEAT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .onFailure(err -> down(c, "heartbeat: " + err));
  }

  private void onPush(RedisConnection conn, Response r) {
    if (conn != current || (r.type() != ResponseType.PUSH && r.type() != ResponseType.MULTI) || r.size() != 3
      || !"message".equals(r.get(0).toString()) || !CHANNEL.equals(r.get(1).toString())) {
      return;
    }
    String body = r.get(2).toString();
    messages.increment();
    if (RELOAD.equals(body)) {
      load().onFailure(err -> down(conn, "reload: " + err));
      return;
    }
    // The value and the expiry are the last two words: the key may hold spaces (an issuer is configuration).
    int second = body.lastIndexOf(' ');
    int first = second > 0 ? body.lastIndexOf(' ', second - 1) : -1;
    try {
      if (first <= 0) {
        throw new NumberFormatException();
      }
      add(body.substring(0, first), Long.parseLong(body.substring(first + 1, second)),
        Long.parseLong(body.substring(second + 1)) * 1000);
    } catch (NumberFormatException e) {
      log.warn("revocation message not understood: {}", body);
    }
  }

  void add(String key, long value, long expiresAtMs) {
    // A not-before time is only raised; a deny-list entry keeps the later expiry.
    entries.merge(key, new Entry(value, expiresAtMs),
      (old, neu) -> new Entry(Math.max(old.value(), neu.value()), Math.max(old.expiresAtMs(), neu.expiresAtMs())));
  }

  // ------------------------------------------------------------------------------------------ loading

  /** Scans auth's keys and adds every deny-list entry and not-before time with its remaining lifetime. */
  Future<Void> load() {
    return scan("0").onSuccess(v -> loads.increment());
  }

  private Future<Void> scan(String cursor) {
    Request scan = Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(SCAN_PATTERN).arg("COUNT").arg(SCAN_COUNT);
    return reader.send(scan).compose(r -> {
      String next = r.get(0).toString();
      List<String> keys = new ArrayList<>();
      for (Response k : r.get(1)) {
        String key = k.toString();
        if (key.startsWith(JwtGuard.REVOKED_PREFIX) || key.startsWith(JwtGuard.REVOKED_SESSION_PREFIX)
          || key.startsWith(JwtGuard.USER_NBF_PREFIX)) {
          keys.add(key);
        }
      }
      return read(keys).compose(v -> "0".equals(next) ? Future.succeededFuture() : scan(next));
    });
  }

  private Future<Void> read(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> batch = new ArrayList<>(keys.size() * 2);
    for (String key : keys) {
      batch.add(Request.cmd(Command.GET).arg(key));
      batch.add(Request.cmd(Command.PTTL).arg(key));
    }
    return reader.batch(batch).map(answers -> {
      long now = System.currentTimeMillis();
      for (int i = 0; i < keys.size(); i++) {
        Response value = answers.get(2 * i);
        long ttl = answers.get(2 * i + 1).toLong();
        if (value == null || ttl == -2) {
          continue; // expired between the scan and the read
        }
        add(keys.get(i), parse(value.toString()), ttl < 0 ? Long.MAX_VALUE : now + ttl);
      }
      return null;
    });
  }

  /** As the per-request check reads it: a value that is not a number revokes everything ({@link Long#MAX_VALUE}). */
  private static long parse(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private void purgeExpired() {
    long now = System.currentTimeMillis();
    entries.values().removeIf(e -> e.expiresAtMs() <= now);
  }
}

package com.paysvc.auth.service;

import com.paysvc.auth.store.AuthStore;
import com.paysvc.common.concurrent.Timeouts;
import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.security.JwtGuard;
import com.paysvc.common.security.RevocationView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What every guard must reject, written where the guards read it: Redis db 0 ({@link JwtGuard#revokedKey} for a
 * logged-out token, {@link JwtGuard#revokedSessionKey} for an ended session, {@link JwtGuard#userNotBeforeKey} for a
 * user whose sessions were cut off). The database is the record (denied tokens, ended sessions, not-before times),
 * Redis the copy the guards read: auth writes everything still live from the database to Redis
 * <ul>
 *   <li>when it starts,</li>
 *   <li>when Redis restarted ({@code run_id} changed: an append-only file written once a second may miss the last
 *   writes) or lost its data (the marker key is gone),</li>
 *   <li>after any write to Redis failed (e.g. a deactivation handled while Redis was away),</li>
 * </ul>
 * checking every {@value #CHECK_EVERY_MS} ms.
 *
 * <p>Every entry is also published on {@link RevocationView#CHANNEL} right after it is written (same connection,
 * same pipeline, so the key exists before any guard hears of it): the guards hold the state in memory. After a
 * reload auth publishes {@link RevocationView#RELOAD} and they scan the keys again.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  static final String MARKER_PREFIX = "auth:revocations:loaded:";
  private static final long REDIS_TIMEOUT_MS = 1000;
  private static final long CHECK_EVERY_MS = 2000;
  private static final int BATCH = 500;
  /** Guards accept a token up to their leeway (5 s) past its exp: entries outlive exp by more than that. */
  private static final long MARGIN_SECONDS = 60;

  // Raises the not-before time, never lowers it (two writers racing cannot move it backwards).
  private static final String RAISE = """
    local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
    if cur == nil or cur < tonumber(ARGV[1]) then
      redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
    end
    return 0
    """;

  private final Vertx vertx;
  private final Redis redis;
  private final Db db;
  private final AuthStore store;
  private final String issuer;
  private final int accessTtlSeconds;
  /** Per auth database: instances sharing one database share it, other platforms on the same Redis have their own. */
  private final String marker;
  private long timer = -1;
  private boolean checking;
  /** Set by a failed write, and at start: the next check writes everything from the database. */
  private volatile boolean reloadNeeded = true;
  private String runId;

  public Revocations(Vertx vertx, Redis redis, Db db, AuthStore store, String issuer, int accessTtlSeconds,
                     String database) {
    this.vertx = vertx;
    this.redis = redis;
    this.db = db;
    this.store = store;
    this.issuer = issuer;
    this.accessTtlSeconds = accessTtlSeconds;
    this.marker = MARKER_PREFIX + database;
  }

  /** Deny-lists one access token until {@code expiresAt} (epoch s): database first, then Redis. */
  public Future<Void> denyToken(String jti, long expiresAt) {
    return db.write(conn -> store.denyAccessToken(conn, issuer, jti, expiresAt))
      .compose(v -> redisWrite(tokenEntry(issuer, jti, expiresAt).publishing()));
  }

  /** Rejects every access token of these sessions (already ended in the database) for as long as one can live. */
  public Future<Void> endSessions(List<UUID> sessions) {
    long now = now();
    List<Request> writes = new ArrayList<>();
    sessions.forEach(s -> writes.addAll(sessionEntry(s.toString(), now).publishing()));
    return writes.isEmpty() ? Future.succeededFuture() : redisWrite(writes);
  }

  /**
   * Writes a user's not-before time and the sessions that cut ended (already committed, or about to be, in the
   * database) to Redis. The sessions matter: a not-before time is a whole second, and a token issued within the second
   * of an earlier cut (its iat that cut + 1) is rejected by its session, not by the time.
   */
  public Future<Void> cutOff(UUID userId, long notBefore, List<UUID> sessions) {
    long now = now();
    List<Request> writes = new ArrayList<>(userEntry(userId.toString(), notBefore, now).publishing());
    sessions.forEach(s -> writes.addAll(sessionEntry(s.toString(), now).publishing()));
    return redisWrite(writes);
  }

  /** One key as the guards read it: its write, and the message that tells the guards' views about it. */
  private record Entry(Request write, String key, long value, long expiresAt) {
    List<Request> publishing() {
      return List.of(write, Request.cmd(Command.PUBLISH).arg(RevocationView.CHANNEL)
        .arg(RevocationView.message(key, value, expiresAt)));
    }
  }

  private Entry tokenEntry(String iss, String jti, long expiresAt) {
    String key = JwtGuard.revokedKey(iss, jti);
    long until = expiresAt + MARGIN_SECONDS;
    return new Entry(Request.cmd(Command.SET).arg(key).arg("1").arg("EXAT").arg(until), key, 1, until);
  }

  private Entry sessionEntry(String session, long endedAt) {
    String key = JwtGuard.revokedSessionKey(session);
    long until = endedAt + accessTtlSeconds + MARGIN_SECONDS;
    return new Entry(Request.cmd(Command.SET).arg(key).arg("1").arg("EXAT").arg(until), key, 1, until);
  }

  /** A not-before time must outlive every token it rejects: those expire at most one lifetime after it. */
  private Entry userEntry(String userId, long notBefore, long now) {
    String key = JwtGuard.userNotBeforeKey(userId);
    long until = notBefore + accessTtlSeconds + MARGIN_SECONDS;
    return new Entry(Request.cmd(Command.EVAL).arg(RAISE).arg(1).arg(key).arg(notBefore).arg(Math.max(1, until - now)),
      key, notBefore, until);
  }

  private Future<Void> redisWrite(List<Request> writes) {
    Future<?> sent = writes.size() == 1 ? redis.send(writes.get(0)) : redis.batch(writes);
    return Timeouts.within(sent, REDIS_TIMEOUT_MS).<Void>mapEmpty()
      .recover(err -> {
        // The database has it: write everything again as soon as Redis answers.
        reloadNeeded = true;
        return Future.failedFuture(new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE,
          "the revocation cannot be enforced yet (Redis unavailable), retry shortly"));
      });
  }

  public void start() {
    timer = vertx.setPeriodic(1, CHECK_EVERY_MS, id -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    Timeouts.within(redis.batch(List.of(Request.cmd(Command.EXISTS).arg(marker), Request.cmd(Command.INFO).arg("server"))),
        REDIS_TIMEOUT_MS)
      .compose(r -> {
        String id = runId(r.get(1));
        boolean restarted = runId != null && id != null && !id.equals(runId);
        boolean emptied = r.get(0).toInteger() == 0;
        if (!reloadNeeded && !restarted && !emptied) {
          return Future.succeededFuture();
        }
        log.info("writing revocations to Redis from the database ({})",
          emptied ? "Redis lost them" : restarted ? "Redis restarted" : "a write was missed, or start-up");
        reloadNeeded = false;
        return reload().onSuccess(v -> runId = id).onFailure(e -> reloadNeeded = true);
      })
      .onComplete(ar -> {
        checking = false;
        if (ar.failed()) {
          log.debug("revocation state not checked: {}", ar.cause().toString());
        }
      });
  }

  private static String runId(Response info) {
    for (String line : info.toString().split("\r?\n")) {
      if (line.startsWith("run_id:")) {
        return line.substring(7).trim();
      }
    }
    return null;
  }

  /** Writes every live revocation from the database to Redis, then the marker. */
  Future<Void> reload() {
    long now = now();
    return db.readPrimary((SqlClient c) -> store.liveRevocations(c, now, accessTtlSeconds + (int) MARGIN_SECONDS))
      .compose(list -> {
        List<Request> batch = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (AuthStore.Revocation r : list) {
          Entry entry = switch (r.kind()) {
            case TOKEN -> tokenEntry(r.issuer(), r.subject(), r.value());
            case USER -> userEntry(r.subject(), r.value(), now);
            case SESSION -> sessionEntry(r.subject(), r.value());
          };
          batch.add(entry.write());
          if (batch.size() == BATCH) {
            List<Request> send = List.copyOf(batch);
            batch.clear();
            chain = chain.compose(v -> redis.batch(send).mapEmpty());
          }
        }
        List<Request> rest = List.copyOf(batch);
        return chain.compose(v -> rest.isEmpty() ? Future.succeededFuture() : redis.batch(rest).mapEmpty())
          .compose(v -> redis.send(Request.cmd(Command.SET).arg(marker).arg(Long.toString(now))))
          .compose(v -> redis.send(Request.cmd(Command.PUBLISH).arg(RevocationView.CHANNEL).arg(RevocationView.RELOAD)))
          .onSuccess(v -> log.info("revocation state written to Redis: {} entries", list.size()))
          .mapEmpty();
      });
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }
}

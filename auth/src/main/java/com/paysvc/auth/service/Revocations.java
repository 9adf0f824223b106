package com.paysvc.auth.service;

import com.paysvc.auth.store.AuthStore;
import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.security.JwtGuard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What every guard must reject, written where the guards read it: Redis db 0 ({@link JwtGuard#revokedKey} for a
 * logged-out token until its {@code exp}, {@link JwtGuard#userNotBeforeKey} for a user whose sessions were cut off).
 * The database holds the durable copy (denied tokens, not-before times): Redis runs with an append-only file, and
 * should it still lose its data (a restart without it, a flush), a marker key disappears with the rest; auth checks
 * the marker every few seconds and writes everything still live back from the database.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  static final String MARKER = "auth:revocations:loaded";
  private static final long REDIS_TIMEOUT_MS = 1000;
  private static final long CHECK_EVERY_MS = 2000;
  private static final int BATCH = 500;

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
  private long timer = -1;
  private boolean syncing;

  public Revocations(Vertx vertx, Redis redis, Db db, AuthStore store, String issuer, int accessTtlSeconds) {
    this.vertx = vertx;
    this.redis = redis;
    this.db = db;
    this.store = store;
    this.issuer = issuer;
    this.accessTtlSeconds = accessTtlSeconds;
  }

  /** Deny-lists one access token until {@code expiresAt} (epoch s): database first, then Redis. */
  public Future<Void> denyToken(String jti, long expiresAt) {
    return db.write(conn -> store.denyAccessToken(conn, issuer, jti, expiresAt))
      .compose(v -> redisWrite(Request.cmd(Command.SET).arg(JwtGuard.revokedKey(issuer, jti)).arg("1")
        .arg("EXAT").arg(Math.max(expiresAt, now() + 1))));
  }

  /**
   * Writes a user's not-before time (already committed in the database) to Redis. It must outlive every token it
   * rejects: those expire at most one token lifetime (plus leeway) after it.
   */
  public Future<Void> cutOff(UUID userId, long notBefore) {
    long ttl = Math.max(1, notBefore + accessTtlSeconds + 60 - now());
    return redisWrite(Request.cmd(Command.EVAL).arg(RAISE).arg(1).arg(JwtGuard.userNotBeforeKey(userId.toString()))
      .arg(notBefore).arg(ttl));
  }

  private Future<Void> redisWrite(Request r) {
    return redis.send(r).timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS).<Void>mapEmpty()
      .recover(err -> Future.failedFuture(new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE,
        "the revocation cannot be recorded now (Redis unavailable), retry shortly")));
  }

  /** Loads Redis from the database now, then whenever the marker is gone. */
  public void start() {
    timer = vertx.setPeriodic(0, CHECK_EVERY_MS, id -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    if (syncing) {
      return;
    }
    syncing = true;
    redis.send(Request.cmd(Command.EXISTS).arg(MARKER)).timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .compose(r -> r.toInteger() == 1 ? Future.succeededFuture() : reload())
      .onComplete(ar -> {
        syncing = false;
        if (ar.failed()) {
          log.debug("revocation state not checked: {}", ar.cause().toString());
        }
      });
  }

  /** Writes every live revocation from the database to Redis, then the marker. */
  Future<Void> reload() {
    long now = now();
    return db.readPrimary((SqlClient c) -> store.liveRevocations(c, now, accessTtlSeconds + 60))
      .compose(list -> {
        List<Request> batch = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (AuthStore.Revocation r : list) {
          if (r.token()) {
            batch.add(Request.cmd(Command.SET).arg(JwtGuard.revokedKey(r.issuer(), r.subject())).arg("1").arg("EXAT").arg(r.value()));
          } else {
            batch.add(Request.cmd(Command.EVAL).arg(RAISE).arg(1).arg(JwtGuard.userNotBeforeKey(r.subject()))
              .arg(r.value()).arg(Math.max(1, r.value() + accessTtlSeconds + 60 - now)));
          }
          if (batch.size() == BATCH) {
            List<Request> send = List.copyOf(batch);
            batch.clear();
            chain = chain.compose(v -> redis.batch(send).mapEmpty());
          }
        }
        List<Request> rest = List.copyOf(batch);
        return chain.compose(v -> rest.isEmpty() ? Future.succeededFuture() : redis.batch(rest).mapEmpty())
          .compose(v -> redis.send(Request.cmd(Command.SET).arg(MARKER).arg(Long.toString(now))))
          .onSuccess(v -> log.info("revocation state written to Redis: {} entries", list.size()))
          .mapEmpty();
      });
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }
}

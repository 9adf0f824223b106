package com.paysvc.users.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * The users cache in Redis db 1. Values are the exact response bytes.
 *
 * <p>Keys: {@code user:{id}} and {@code user_by_identifier:{identifier}} (600 s), dictionary lists (3 h). Every
 * key holding a user's detail is recorded in the set {@code user_identifiers:{id}}; invalidating a user deletes
 * the set's members, so keys of identifiers it was looked up by go too.
 *
 * <p>Exactness against the read/invalidate race (a reader loads the old row, a writer commits and invalidates,
 * then the reader stores the old row for 600 s): a miss reads the generation counter {@code users:gen} before
 * loading, and the fill (a Lua script) stores the value only if no invalidation bumped the counter meanwhile.
 * An invalidation also leaves a short {@code user_fresh:{id}} marker; a fill that finds it refuses replica data
 * (the replica may lag behind the write) and the caller re-reads from the primary.
 *
 * <p>Redis is optional: every call goes through a breaker with a short timeout; failures read as misses and
 * skipped fills, never as errors. An invalidation that cannot reach Redis is not dropped: it is kept and replayed
 * every second until Redis takes it (a write during a Redis blip or a slow spell would otherwise leave stale
 * entries for up to their TTL).
 */
public final class UserCache {
  private static final Logger log = LoggerFactory.getLogger(UserCache.class);
  public static final long USER_TTL_SECONDS = 600;
  public static final long DICTIONARY_TTL_SECONDS = 3 * 3600;
  /** Longer than the replica can reasonably lag; a fill of replica data within it goes back to the primary. */
  static final long FRESH_WINDOW_SECONDS = 10;
  public static final String GENERATION_KEY = "users:gen";
  static final long REPLAY_MS = 1000;
  /** Users per invalidation script: keeps one Lua call short (it blocks Redis while it runs). */
  static final int BATCH = 500;
  /** Beyond this many waiting invalidations (a long Redis outage under heavy writes) new ones are dropped, logged. */
  static final int PENDING_MAX = 200_000;

  /**
   * KEYS: gen, key, index, fresh; ARGV: expected gen, value, ttl, index ttl, replica(1/0). 1 stored, 0 raced, 2 fresh.
   * The fresh marker is checked first: replica data of a user written a moment ago must go back to the primary even
   * when another write also moved the generation (else the caller would get the replica's possibly older row).
   */
  private static final String FILL = """
    if ARGV[5] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then return 2 end
    if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
    redis.call('SADD', KEYS[3], KEYS[2])
    redis.call('EXPIRE', KEYS[3], ARGV[4])
    return 1""";

  /** KEYS: gen, key, fresh; ARGV: expected gen, value, ttl, replica(1/0). For keys without an index (dictionaries). */
  private static final String FILL_PLAIN = """
    if ARGV[4] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
    if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
    return 1""";

  /**
   * KEYS: gen, then per user (ARGV[2] of them): index, user:{id}, fresh; then plain keys, each followed by its
   * fresh marker. ARGV: fresh window, user count.
   */
  private static final String INVALIDATE = """
    redis.call('INCR', KEYS[1])
    local users = tonumber(ARGV[2])
    local last = 1 + 3 * users
    for i = 2, last, 3 do
      local keys = redis.call('SMEMBERS', KEYS[i])
      for j = 1, #keys do redis.call('DEL', keys[j]) end
      redis.call('DEL', KEYS[i], KEYS[i + 1])
      redis.call('SET', KEYS[i + 2], '1', 'EX', ARGV[1])
    end
    for i = last + 1, #KEYS, 2 do
      redis.call('DEL', KEYS[i])
      redis.call('SET', KEYS[i + 1], '1', 'EX', ARGV[1])
    end
    return 1""";

  /** What a fill reports. */
  public enum Fill { STORED, SKIPPED, NEEDS_PRIMARY }

  private final Redis redis;
  private final String namespace;
  private final String generationKey;
  private final CircuitBreaker breaker;
  private final Counter hits;
  private final Counter misses;
  private final Counter bypassed;
  private final Counter invalidationsDeferred;
  private final Counter invalidationsDropped;
  private final Vertx vertx;
  /** Invalidations Redis has not taken yet, each stamped so a replay only clears what it covered. */
  private final ConcurrentHashMap<UUID, Long> pendingUsers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> pendingKeys = new ConcurrentHashMap<>();
  private final AtomicLong stamps = new AtomicLong();
  private final AtomicBoolean replayScheduled = new AtomicBoolean();

  /**
   * {@code namespace} prefixes every key (empty in production, so keys read exactly as in SPEC §4); it lets
   * deployments or test runs share one Redis database without sharing entries or the generation counter.
   */
  public UserCache(Vertx vertx, Redis redis, MeterRegistry registry, long timeoutMs, String namespace) {
    this.vertx = vertx;
    this.redis = redis;
    this.namespace = namespace;
    this.generationKey = namespace + GENERATION_KEY;
    this.breaker = CircuitBreaker.create("users-cache", vertx, new CircuitBreakerOptions()
        .setTimeout(timeoutMs).setMaxFailures(3).setResetTimeout(2000))
      .openHandler(v -> log.warn("cache breaker open: reads go straight to Postgres"))
      .closeHandler(v -> log.info("cache breaker closed: cache back in use"));
    this.hits = Counter.builder("paysvc_users_cache").tag("result", "hit").register(registry);
    this.misses = Counter.builder("paysvc_users_cache").tag("result", "miss").register(registry);
    this.bypassed = Counter.builder("paysvc_users_cache").tag("result", "bypassed").register(registry);
    this.invalidationsDeferred = Counter.builder("paysvc_users_cache_invalidation_deferred")
      .description("invalidations that could not reach Redis at once and were queued for replay").register(registry);
    this.invalidationsDropped = Counter.builder("paysvc_users_cache_invalidation_dropped")
      .description("invalidations dropped because the replay queue was full (stale entries live until their TTL)")
      .register(registry);
    Gauge.builder("paysvc_users_cache_invalidation_pending", () -> pendingUsers.size() + pendingKeys.size())
      .description("invalidations waiting for Redis").register(registry);
  }

  public String userKey(UUID id) {
    return namespace + "user:" + id;
  }

  public String identifierKey(String identifier) {
    return namespace + "user_by_identifier:" + identifier;
  }

  /** A plain key (dictionary list) in this cache's namespace. */
  public String plainKey(String key) {
    return namespace + key;
  }

  String indexKey(UUID id) {
    return namespace + "user_identifiers:" + id;
  }

  String freshKey(UUID id) {
    return namespace + "user_fresh:" + id;
  }

  /**
   * The cached bytes, or null on a miss or when Redis is unavailable. While this instance still holds invalidations
   * Redis has not taken, the cache is bypassed: an entry they are about to delete may be stale.
   */
  public Future<Buffer> get(String key) {
    if (!pendingUsers.isEmpty() || !pendingKeys.isEmpty()) {
      bypassed.increment();
      return Future.succeededFuture();
    }
    return breaker.<Response>execute(() -> redis.send(Request.cmd(Command.GET).arg(key)))
      .map(r -> {
        if (r == null) {
          misses.increment();
          return null;
        }
        hits.increment();
        return r.toBuffer();
      })
      .otherwise(err -> {
        bypassed.increment();
        return null;
      });
  }

  /** Whether the user was written within the freshness window (its replica rows may lag); false when Redis is unavailable. */
  public Future<Boolean> recentlyWritten(UUID userId) {
    return breaker.<Response>execute(() -> redis.send(Request.cmd(Command.EXISTS).arg(freshKey(userId))))
      .map(r -> r != null && r.toInteger() == 1)
      .otherwise(false);
  }

  /** The generation to pass to {@link #fillUser}; null when Redis is unavailable (then nothing is cached). */
  public Future<String> generation() {
    return breaker.<Response>execute(() -> redis.send(Request.cmd(Command.GET).arg(generationKey)))
      .map(r -> r == null ? "0" : r.toString())
      .otherwise((String) null);
  }

  /** Stores a user's detail under {@code key} unless an invalidation happened since {@code generation}. */
  public Future<Fill> fillUser(String generation, String key, UUID userId, Buffer value, boolean fromReplica) {
    if (generation == null) {
      return Future.succeededFuture(Fill.SKIPPED);
    }
    Request eval = Request.cmd(Command.EVAL).arg(FILL).arg(4)
      .arg(generationKey).arg(key).arg(indexKey(userId)).arg(freshKey(userId))
      .arg(generation).arg(value).arg(USER_TTL_SECONDS).arg(USER_TTL_SECONDS + 60).arg(fromReplica ? "1" : "0");
    return fill(eval);
  }

  /** Deletes every cached key of these users. Call after the change committed, before answering. */
  public Future<Void> invalidateUsers(Collection<UUID> userIds) {
    return invalidate(userIds, List.of());
  }

  /**
   * Deletes plain keys (dictionary lists) and every key of the given users. Never fails: when Redis cannot be
   * reached the invalidation is queued and replayed until it can.
   */
  public Future<Void> invalidate(Collection<UUID> userIds, Collection<String> plainKeys) {
    return userIds.isEmpty() && plainKeys.isEmpty() ? Future.succeededFuture()
      : inParts(userIds, plainKeys, this::sendOrDefer);
  }

  /**
   * Runs {@code part} over the keys and users, in turn: all at once when few, else the keys and then batches of
   * {@link #BATCH} users (a renamed group's members), so no single script holds Redis for long.
   */
  private Future<Void> inParts(Collection<UUID> userIds, Collection<String> plainKeys,
                               BiFunction<Collection<UUID>, Collection<String>, Future<Void>> part) {
    if (userIds.size() <= BATCH) {
      return part.apply(userIds, plainKeys);
    }
    List<UUID> ids = List.copyOf(userIds);
    Future<Void> chain = plainKeys.isEmpty() ? Future.succeededFuture() : part.apply(List.of(), plainKeys);
    for (int from = 0; from < ids.size(); from += BATCH) {
      List<UUID> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
      chain = chain.compose(v -> part.apply(batch, List.of()));
    }
    return chain;
  }

  private Future<Void> sendOrDefer(Collection<UUID> userIds, Collection<String> plainKeys) {
    return send(userIds, plainKeys).otherwise(err -> {
      defer(userIds, plainKeys, err);
      return null;
    });
  }

  /** Invalidations waiting for Redis (users and plain keys). */
  public int pendingInvalidations() {
    return pendingUsers.size() + pendingKeys.size();
  }

  private Future<Void> send(Collection<UUID> userIds, Collection<String> plainKeys) {
    Request eval = Request.cmd(Command.EVAL).arg(INVALIDATE).arg(1 + 3 * userIds.size() + 2 * plainKeys.size())
      .arg(generationKey);
    for (UUID id : userIds) {
      eval.arg(indexKey(id)).arg(userKey(id)).arg(freshKey(id));
    }
    for (String key : plainKeys) {
      eval.arg(key).arg("fresh:" + key);
    }
    eval.arg(FRESH_WINDOW_SECONDS).arg(userIds.size());
    return breaker.<Response>execute(() -> redis.send(eval)).mapEmpty();
  }

  private void defer(Collection<UUID> userIds, Collection<String> plainKeys, Throwable err) {
    if (pendingInvalidations() + userIds.size() + plainKeys.size() > PENDING_MAX) {
      invalidationsDropped.increment();
      log.error("cache invalidation dropped, replay queue full ({} user(s), {} key(s)): {}", userIds.size(),
        plainKeys.size(), err.toString());
      return;
    }
    invalidationsDeferred.increment();
    log.warn("cache invalidation deferred ({} user(s), {} key(s)): {}", userIds.size(), plainKeys.size(), err.toString());
    long stamp = stamps.incrementAndGet();
    userIds.forEach(id -> pendingUsers.put(id, stamp));
    plainKeys.forEach(key -> pendingKeys.put(key, stamp));
    scheduleReplay();
  }

  private void scheduleReplay() {
    if (replayScheduled.compareAndSet(false, true)) {
      // From the base context, not the failed request's duplicate: replay rounds (and their log lines, which would
      // carry that request's id) belong to no request.
      ContextInternal current = (ContextInternal) vertx.getOrCreateContext();
      current.unwrap().runOnContext(v -> vertx.setTimer(REPLAY_MS, t -> {
        replayScheduled.set(false);
        replay();
      }));
    }
  }

  /** Sends what waits, in batches; an entry deferred again meanwhile (new stamp) stays for the next round. */
  private void replay() {
    Map<UUID, Long> users = Map.copyOf(pendingUsers);
    Map<String, Long> keys = Map.copyOf(pendingKeys);
    if (users.isEmpty() && keys.isEmpty()) {
      return;
    }
    inParts(users.keySet(), keys.keySet(), (ids, plain) -> send(ids, plain).onSuccess(v -> {
      ids.forEach(id -> pendingUsers.remove(id, users.get(id)));
      plain.forEach(key -> pendingKeys.remove(key, keys.get(key)));
    })).onComplete(ar -> {
      if (ar.succeeded()) {
        log.info("replayed {} deferred cache invalidation(s)", users.size() + keys.size());
      }
      if (pendingInvalidations() > 0) {
        scheduleReplay();
      }
    });
  }

  /** Stores a plain value (a dictionary list) under the same generation and freshness rules as user details. */
  public Future<Fill> fillPlain(String generation, String key, Buffer value, long ttlSeconds, boolean fromReplica) {
    if (generation == null) {
      return Future.succeededFuture(Fill.SKIPPED);
    }
    Request eval = Request.cmd(Command.EVAL).arg(FILL_PLAIN).arg(3).arg(generationKey).arg(key).arg("fresh:" + key)
      .arg(generation).arg(value).arg(ttlSeconds).arg(fromReplica ? "1" : "0");
    return fill(eval);
  }

  /** Runs a fill script: 1 stored, 2 replica data refused (fresh marker), else skipped; Redis trouble = skipped. */
  private Future<Fill> fill(Request eval) {
    return breaker.<Response>execute(() -> redis.send(eval))
      .map(r -> switch (r.toInteger()) {
        case 1 -> Fill.STORED;
        case 2 -> Fill.NEEDS_PRIMARY;
        default -> Fill.SKIPPED;
      })
      .otherwise(Fill.SKIPPED);
  }
}

package com.paysvc.users.store;

import com.paysvc.common.concurrent.Timeouts;
import com.paysvc.common.redis.LoopRedis;
import com.paysvc.common.redis.RedisScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The users cache in Redis db 1. Values are the exact response bytes.
 *
 * <p>Keys: {@code user:{id}} and {@code user_by_identifier:{identifier}} (600 s), dictionary lists (3 h). The cache's
 * Redis evicts any key that has a TTL, at any moment ({@code maxmemory}, {@code volatile-lru}: a full cache does so all
 * the time), and never one without. So nothing the rules below depend on has a TTL, and each such key is bounded:
 * the generation counter, the written markers of users written within {@value #WRITTEN_WINDOW_SECONDS} s, and one
 * marker per dictionary list. What has a TTL is only ever an answer (losing it costs a miss) or the budget of cached
 * misses (losing it starts a window early).
 *
 * <p>No index: a user's entries are named by the write that invalidates them ({@link Invalidation}): {@code user:{id}},
 * {@code user_by_identifier:{id}} and {@code user_by_identifier:{v}} for each identifier value the user has or a write
 * just took from it ({@link UserIdentifiers}; any spelling that finds the user is canonically that value). Their
 * deletion does not depend on anything that eviction could have taken.
 *
 * <p>Exactness against the read/invalidate race (a reader loads the old row, a writer commits and invalidates,
 * then the reader stores the old row for 600 s): every invalidation bumps the generation counter {@code users:gen},
 * and a fill (a Lua script) stores its value only if the counter still holds the generation the reader knew before
 * it started loading. The instance learns the counter from the answer of every fill and invalidation (a script
 * returns it), so a miss costs no extra round trip to read it; a generation learned earlier than necessary only
 * makes a fill refuse (the next miss stores it), never store a stale value.
 *
 * <p>Exactness against a lagging replica (a reader loads the replica's row from before a write, after the write's
 * invalidation): an invalidation marks its users written at the WAL position the write's commit reached ({@link Lsn}):
 * the hash {@code users:written} (id → position), for {@value #WRITTEN_WINDOW_SECONDS} s; a fill of replica data
 * carries the position the replica had replayed when it read the row, and the script stores it only if that is at or
 * past the user's (else the caller re-reads from the primary). Primary data carries none and is always current. So a
 * stale row can be cached only from a replica that, {@value #WRITTEN_WINDOW_SECONDS} s after a write, still has not
 * replayed it. The window ends in the sorted set {@code users:written_until} (id → second it ends): each invalidation
 * removes up to its own users plus {@value #TRIM_EXTRA} entries whose window ended, so the two hold the users written
 * within the window (and, after a burst, a backlog that every later write shrinks); an ended entry not yet removed only
 * keeps replica data of its user out a little longer. The dictionary lists have one marker each
 * ({@code fresh:{key}}), kept for good.
 *
 * <p>Identifier keys hold the canonical identifier only ({@link CanonicalIdentifier}): every spelling of one
 * identifier reads and fills one entry, so a caller cannot store a copy of a record per spelling.
 *
 * <p>Unknown identifiers are cached too, for {@value #UNKNOWN_TTL_SECONDS} s: {@code user_by_identifier:{canonical}}
 * holds an empty value. A write that gives a user an identifier (create, contact added or changed, reactivation)
 * names it, so the same deletion drops the cached miss, under the same generation rule. Anyone may ask for endless
 * identifiers nobody has (a login names one), so these entries are bounded: at most {@code unknownMax} are stored per
 * {@value #UNKNOWN_TTL_SECONDS} s window, counted in Redis across instances ({@code user_unknown_budget}); an entry
 * lives one window, so at most twice that many exist at once. A miss past the budget is answered, just not cached.
 * The counter has a TTL: evicted, it starts a new window early (more misses cached, all of them evictable themselves).
 *
 * <p>Redis is optional: every call goes through a breaker with a short timeout; failures read as misses and
 * skipped fills, never as errors. An invalidation that cannot reach Redis is not dropped: it is kept and replayed
 * every second until Redis takes it (a write during a Redis blip or a slow spell would otherwise leave stale
 * entries for up to their TTL), with the latest commit position among the writes it merges. That queue lives in
 * memory only; a write's invalidation is also recorded in Postgres until Redis took it, and swept from there by any
 * instance, so it survives a restart (see {@code CachedWrites}).
 */
public final class UserCache {
  private static final Logger log = LoggerFactory.getLogger(UserCache.class);
  public static final long USER_TTL_SECONDS = 600;
  public static final long DICTIONARY_TTL_SECONDS = 3 * 3600;
  /** Short: a miss is cheap to repeat, and a user created meanwhile is found at the latest after this. */
  public static final long UNKNOWN_TTL_SECONDS = 30;
  /**
   * How long a write's commit position is kept: the replica lag tolerated. Within it, replica data that does not
   * include the write is refused; after it, a replica still that far behind could fill a stale row (it then serves
   * stale rows to every uncached read too: an incident, not a state the cache hides). One hash field and one sorted
   * set member per user written within it. As long as an entry lives and a minute more: a replica behind by less than
   * an entry's lifetime never fills one.
   */
  static final long WRITTEN_WINDOW_SECONDS = USER_TTL_SECONDS + 60;
  /**
   * Markers whose window ended that an invalidation removes beyond as many as it marks: trimming outpaces marking, so
   * a backlog left by a burst of writes shrinks with every later write.
   */
  static final int TRIM_EXTRA = 100;
  public static final String GENERATION_KEY = "users:gen";
  static final long REPLAY_MS = 1000;
  /** Users per invalidation script: keeps one Lua call short (it blocks Redis while it runs). */
  static final int BATCH = 500;
  /** Identifier keys per invalidation script, for the same reason (a renamed group's members have thousands). */
  static final int IDENTIFIER_BATCH = 2000;
  /** Beyond this many waiting invalidations (a long Redis outage under heavy writes) new ones are dropped, logged. */
  static final int PENDING_MAX = 200_000;

  /**
   * Lua: whether position {@code a} is before {@code b} (both {@link Lsn#marker()}s), comparing the 32-bit halves as
   * numbers. A {@code b} that is no position (a marker of an older instance, {@code 1}) is after every position.
   */
  private static final String BEFORE = """
    local function before(a, b)
      if #b ~= 16 then return true end
      local ah, bh = tonumber(string.sub(a, 1, 8), 16), tonumber(string.sub(b, 1, 8), 16)
      if ah ~= bh then return ah < bh end
      return tonumber(string.sub(a, 9), 16) < tonumber(string.sub(b, 9), 16)
    end
    """;

  /**
   * KEYS: gen, key, written markers (hash); ARGV: expected gen, value, ttl, replayed position of replica data (empty
   * for primary data), user id. Answers {outcome, gen}: 1 stored, 0 raced, 2 replica behind the user's last write.
   * The marker is checked first: replica data that misses a write must go back to the primary even when another
   * write also moved the generation (else the caller would get the replica's older row). Unknown identifiers have
   * their own script ({@link #FILL_UNKNOWN}).
   */
  static final RedisScript FILL = RedisScript.of(BEFORE + """
    local gen = redis.call('GET', KEYS[1]) or '0'
    if ARGV[4] ~= '' then
      local written = redis.call('HGET', KEYS[3], ARGV[5])
      if written and before(ARGV[4], written) then return {2, gen} end
    end
    if gen ~= ARGV[1] then return {0, gen} end
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
    return {1, gen}""");

  /**
   * KEYS: gen, key, the window's budget counter; ARGV: expected gen, ttl, entries per window. Answers {outcome, gen}:
   * 1 stored, 0 raced, 3 over budget. Only the primary's "no such user" is cached, so there is no written marker to
   * check. The counter starts a window with its first miss and lives as long as an entry (set again if it ever lost
   * its expiry, so a stray counter cannot refuse forever).
   */
  private static final RedisScript FILL_UNKNOWN = RedisScript.of("""
    local gen = redis.call('GET', KEYS[1]) or '0'
    if gen ~= ARGV[1] then return {0, gen} end
    local used = redis.call('INCR', KEYS[3])
    if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], ARGV[2]) end
    if used > tonumber(ARGV[3]) then return {3, gen} end
    redis.call('SET', KEYS[2], '', 'EX', ARGV[2])
    return {1, gen}""");

  /** KEYS: gen, key, its marker; ARGV: expected gen, value, ttl, replayed position (or empty). For dictionaries. */
  private static final RedisScript FILL_PLAIN = RedisScript.of(BEFORE + """
    local gen = redis.call('GET', KEYS[1]) or '0'
    if ARGV[4] ~= '' then
      local written = redis.call('GET', KEYS[3])
      if written and before(ARGV[4], written) then return {2, gen} end
    end
    if gen ~= ARGV[1] then return {0, gen} end
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
    return {1, gen}""");

  /**
   * KEYS: gen, written markers (hash), their window ends (sorted set), then per user (ARGV[2] of them) its
   * {@code user:{id}} and {@code user_by_identifier:{id}}; then ARGV[3] plain keys, each followed by its marker; then
   * identifier keys. ARGV: window seconds, user count, plain count, commit position, markers to trim beyond the users,
   * then the user ids. Answers the new generation. A marker keeps the later of its position and this one
   * (invalidations may arrive out of order: a replayed one after a newer write's); its window restarts. Then up to
   * (users + ARGV[5]) markers whose window ended go. The clock is Redis's own ({@code TIME}), one for every instance.
   */
  private static final RedisScript INVALIDATE = RedisScript.of(BEFORE + """
    local function later(written)
      if written and before(ARGV[4], written) then return written end
      return ARGV[4]
    end
    local gen = redis.call('INCR', KEYS[1])
    local now = tonumber(redis.call('TIME')[1])
    local users = tonumber(ARGV[2])
    for i = 1, users do
      local id = ARGV[5 + i]
      redis.call('DEL', KEYS[2 + 2 * i], KEYS[3 + 2 * i])
      redis.call('HSET', KEYS[2], id, later(redis.call('HGET', KEYS[2], id)))
      redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), id)
    end
    local last = 3 + 2 * users
    local plain = last + 2 * tonumber(ARGV[3])
    for i = last + 1, plain, 2 do
      redis.call('DEL', KEYS[i])
      redis.call('SET', KEYS[i + 1], later(redis.call('GET', KEYS[i + 1])))
    end
    if #KEYS > plain then redis.call('DEL', unpack(KEYS, plain + 1)) end
    local ended = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, users + tonumber(ARGV[5]))
    if #ended > 0 then
      redis.call('ZREM', KEYS[3], unpack(ended))
      redis.call('HDEL', KEYS[2], unpack(ended))
    end
    return gen""");

  /** What a fill reports. */
  public enum Fill { STORED, SKIPPED, NEEDS_PRIMARY }

  /** A deferred entry: when it was deferred (a replay clears only what it covered) and the latest commit it stands for. */
  private record Deferred(long stamp, Lsn committed) {
    Deferred merge(Deferred newer) {
      return new Deferred(newer.stamp, Lsn.later(committed, newer.committed));
    }
  }

  /**
   * What to drop: these users' {@code user:{id}} and {@code user_by_identifier:{id}} (and mark them written), these
   * plain keys (and mark them written), and the {@code user_by_identifier} entries (found or cached misses) of these
   * identifiers, canonical ({@link UserIdentifiers}).
   */
  public record Invalidation(Collection<UUID> users, Collection<String> plainKeys, Collection<String> identifiers) {
    public static Invalidation ofUsers(Collection<UUID> users) {
      return new Invalidation(users, List.of(), List.of());
    }

    /** This one, also dropping the entries of {@code more} identifiers. */
    public Invalidation withIdentifiers(Collection<String> more) {
      if (more.isEmpty()) {
        return this;
      }
      Set<String> all = new LinkedHashSet<>(identifiers);
      all.addAll(more);
      return new Invalidation(users, plainKeys, List.copyOf(all));
    }

    public boolean isEmpty() {
      return users.isEmpty() && plainKeys.isEmpty() && identifiers.isEmpty();
    }

    int size() {
      return users.size() + plainKeys.size() + identifiers.size();
    }
  }

  private final Redis redis;
  private final String namespace;
  private final String generationKey;
  /** The written markers: id → commit position (a hash), and id → the second their window ends (a sorted set). */
  private final String writtenKey;
  private final String writtenUntilKey;
  /** Built once: every by-identifier read names its key. */
  private final String identifierPrefix;
  private final String unknownBudgetKey;
  /** Cached misses stored per {@value #UNKNOWN_TTL_SECONDS} s window (USERS_CACHE_UNKNOWN_MAX). */
  private final int unknownMax;
  private final CircuitBreaker breaker;
  /** How long a command may wait for Redis before it counts as a failure (a miss, for reads). */
  private final long timeoutMs;
  private final Counter hits;
  private final Counter unknownHits;
  private final Counter misses;
  private final Counter bypassed;
  private final Counter unknownOverBudget;
  private final Counter invalidationsDeferred;
  private final Counter invalidationsDropped;
  private final Vertx vertx;
  /**
   * Where replay rounds run: the context the cache was made on (the service's start, no request's), so their timers
   * and log lines belong to no request.
   */
  private final Context home;
  /** Invalidations Redis has not taken yet, each stamped so a replay only clears what it covered. */
  private final ConcurrentHashMap<UUID, Deferred> pendingUsers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Deferred> pendingKeys = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Deferred> pendingIdentifiers = new ConcurrentHashMap<>();
  private final AtomicLong stamps = new AtomicLong();
  private final AtomicBoolean replayScheduled = new AtomicBoolean();
  /** The generation counter as last seen in an answer of Redis; null until then (the first miss reads it). */
  private volatile String knownGeneration;

  /**
   * {@code namespace} prefixes every key (empty in production, so keys read exactly as in SPEC §4); it lets
   * deployments or test runs share one Redis database without sharing entries or the generation counter.
   * {@code unknownMax}: cached misses stored per {@value #UNKNOWN_TTL_SECONDS} s window, across instances.
   */
  public UserCache(Vertx vertx, Redis redis, MeterRegistry registry, long timeoutMs, String namespace, int unknownMax) {
    this.vertx = vertx;
    this.home = vertx.getOrCreateContext();
    this.redis = redis;
    this.namespace = namespace;
    this.generationKey = namespace + GENERATION_KEY;
    this.writtenKey = namespace + "users:written";
    this.writtenUntilKey = namespace + "users:written_until";
    this.identifierPrefix = namespace + "user_by_identifier:";
    this.unknownBudgetKey = namespace + "user_unknown_budget";
    this.unknownMax = unknownMax;
    this.timeoutMs = timeoutMs;
    // No timeout in the breaker (it would set a timer per command): each command carries its own limit (send), and
    // the GETs of cached reads one per event-loop turn (LoopRedis.get).
    this.breaker = CircuitBreaker.create("users-cache", vertx, new CircuitBreakerOptions()
        .setTimeout(-1).setMaxFailures(3).setResetTimeout(2000))
      .openHandler(v -> log.warn("cache breaker open: reads go straight to Postgres"))
      .closeHandler(v -> log.info("cache breaker closed: cache back in use"));
    this.hits = Counter.builder("paysvc_users_cache").tag("result", "hit").register(registry);
    this.unknownHits = Counter.builder("paysvc_users_cache").tag("result", "unknown_hit")
      .description("lookups answered 404 from a cached miss").register(registry);
    this.misses = Counter.builder("paysvc_users_cache").tag("result", "miss").register(registry);
    this.bypassed = Counter.builder("paysvc_users_cache").tag("result", "bypassed").register(registry);
    this.unknownOverBudget = Counter.builder("paysvc_users_cache_unknown_over_budget")
      .description("lookups of unknown identifiers answered 404 but not cached: the window's budget of cached misses"
        + " (USERS_CACHE_UNKNOWN_MAX) was spent").register(registry);
    this.invalidationsDeferred = Counter.builder("paysvc_users_cache_invalidation_deferred")
      .description("invalidations that could not reach Redis at once and were queued for replay").register(registry);
    this.invalidationsDropped = Counter.builder("paysvc_users_cache_invalidation_dropped")
      .description("invalidations dropped because the replay queue was full (stale entries live until their TTL)")
      .register(registry);
    Gauge.builder("paysvc_users_cache_invalidation_pending", this::pendingInvalidations)
      .description("invalidations waiting for Redis").register(registry);
  }

  public String userKey(UUID id) {
    return namespace + "user:" + id;
  }

  /** The key of a by-identifier entry: {@code canonical} must be {@link CanonicalIdentifier#of canonical}. */
  public String identifierKey(String canonical) {
    return identifierPrefix + canonical;
  }

  /** A plain key (dictionary list) in this cache's namespace. */
  public String plainKey(String key) {
    return namespace + key;
  }

  /** The marker of a plain key (dictionary list): its last write's commit position, without TTL (two of them). */
  static String plainMarkerKey(String plainKey) {
    return "fresh:" + plainKey;
  }

  /** A cached miss: the lookup is answered 404 without the database. */
  public static boolean isUnknown(Buffer cached) {
    return cached.length() == 0;
  }

  /**
   * The cached bytes (empty for a cached miss, {@link #isUnknown}), or null on a miss or when Redis is unavailable.
   * While this instance still holds invalidations Redis has not taken, the cache is bypassed: an entry they are
   * about to delete may be stale.
   */
  public Future<Buffer> get(String key) {
    if (pendingInvalidations() > 0) {
      bypassed.increment();
      return Future.succeededFuture();
    }
    return breaker.<Response>execute(() -> LoopRedis.get(redis, key, timeoutMs))
      .map(r -> {
        if (r == null) {
          misses.increment();
          return null;
        }
        Buffer b = r.toBuffer();
        (b.length() == 0 ? unknownHits : hits).increment();
        return b;
      })
      .otherwise(err -> {
        bypassed.increment();
        return null;
      });
  }

  /**
   * The commit position of the user's last write within {@value #WRITTEN_WINDOW_SECONDS} s: replica data of the
   * user counts only if the replica had replayed that far. Null when there is none, or Redis is unavailable.
   */
  public Future<Lsn> writtenAt(UUID userId) {
    return breaker.<Response>execute(() -> command(Request.cmd(Command.HGET).arg(writtenKey).arg(userId.toString())))
      .map(r -> Lsn.later(r == null ? null : Lsn.ofMarker(r.toString()), pendingWrite(userId)))
      .otherwise(err -> pendingWrite(userId));
  }

  /**
   * The commit position of this instance's write of the user whose invalidation Redis has not taken yet (so its
   * written marker is not in Redis either); null when there is none. While Redis is unreachable this is all an
   * instance knows of recent writes: its own.
   */
  public Lsn pendingWrite(UUID userId) {
    Deferred d = pendingUsers.get(userId);
    return d == null ? null : d.committed();
  }

  /** Like {@link #pendingWrite} for a plain key (a dictionary list). */
  public Lsn pendingWrite(String plainKey) {
    Deferred d = pendingKeys.get(plainKey);
    return d == null ? null : d.committed();
  }

  /**
   * The generation to pass to a fill; null when Redis is unavailable (then nothing is cached). Read before loading.
   * From memory once any answer of Redis told it, else read from Redis.
   */
  public Future<String> generation() {
    String known = knownGeneration;
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return breaker.<Response>execute(() -> command(Request.cmd(Command.GET).arg(generationKey)))
      .map(r -> learn(r == null ? "0" : r.toString()))
      .otherwise((String) null);
  }

  /** One command to Redis, failed when not answered within the cache's time limit. */
  private Future<Response> command(Request request) {
    return Timeouts.within(redis.send(request), timeoutMs);
  }

  private String learn(String generation) {
    knownGeneration = generation;
    return generation;
  }

  /**
   * Stores a user's detail under {@code key} unless an invalidation happened since {@code generation}, or (replica
   * data: {@code replayed} is how far the replica had replayed when it read the value; null for primary data) the
   * user's last write is past what the replica had replayed: then {@link Fill#NEEDS_PRIMARY}.
   */
  public Future<Fill> fillUser(String generation, String key, UUID userId, Buffer value, Lsn replayed) {
    if (generation == null) {
      return Future.succeededFuture(Fill.SKIPPED);
    }
    return fill(FILL, r -> r.arg(3).arg(generationKey).arg(key).arg(writtenKey)
      .arg(generation).arg(value).arg(USER_TTL_SECONDS).arg(replayedArg(replayed)).arg(userId.toString()));
  }

  private static String replayedArg(Lsn replayed) {
    return replayed == null ? "" : replayed.marker();
  }

  /**
   * Caches that the identifier under {@code key} (its canonical form's) names no user (the primary said so), for
   * {@link #UNKNOWN_TTL_SECONDS} s, unless an invalidation happened since {@code generation} or the window's budget of
   * cached misses is spent. A write that gives someone the identifier names it and so drops the entry.
   */
  public Future<Fill> fillUnknown(String generation, String key) {
    if (generation == null) {
      return Future.succeededFuture(Fill.SKIPPED);
    }
    return fill(FILL_UNKNOWN, r -> r.arg(3).arg(generationKey).arg(key).arg(unknownBudgetKey)
      .arg(generation).arg(UNKNOWN_TTL_SECONDS).arg(unknownMax));
  }

  /**
   * Deletes the keys of these users ({@code user:{id}}, {@code user_by_identifier:{id}}), their commit position
   * unknown (replica data of them is refused for {@value #WRITTEN_WINDOW_SECONDS} s). Writes pass their position and
   * the identifiers of their users: {@link #invalidate(Invalidation, Lsn)}.
   */
  public Future<Void> invalidateUsers(Collection<UUID> userIds) {
    return invalidate(Invalidation.ofUsers(userIds));
  }

  /** Deletes plain keys (dictionary lists) and every key of the given users, the commit position unknown. */
  public Future<Void> invalidate(Collection<UUID> userIds, Collection<String> plainKeys) {
    return invalidate(new Invalidation(userIds, plainKeys, List.of()));
  }

  /** {@link #invalidate(Invalidation, Lsn)} of a write whose commit position is unknown. */
  public Future<Void> invalidate(Invalidation what) {
    return invalidate(what, Lsn.UNKNOWN).mapEmpty();
  }

  /**
   * Deletes what {@code what} names and marks its users (and plain keys) written at {@code committed}, the WAL
   * position at or after the write's commit. Never fails: when Redis cannot be reached the invalidation is queued
   * and replayed until it can. Answers whether Redis took all of it now (false: some of it waits for a replay).
   */
  public Future<Boolean> invalidate(Invalidation what, Lsn committed) {
    if (what.isEmpty()) {
      return Future.succeededFuture(true);
    }
    AtomicBoolean delivered = new AtomicBoolean(true);
    return inParts(what, part -> send(part, committed).otherwise(err -> {
      delivered.set(false);
      defer(part, committed, err);
      return null;
    })).map(v -> delivered.get());
  }

  /**
   * Runs {@code part} over the invalidation, in turn: all at once when small, else in parts of at most {@link #BATCH}
   * users and {@link #IDENTIFIER_BATCH} identifiers (a renamed group's members), so no single script holds Redis for
   * long; the plain keys go with the first.
   */
  private Future<Void> inParts(Invalidation what, Function<Invalidation, Future<Void>> part) {
    if (what.users().size() <= BATCH && what.identifiers().size() <= IDENTIFIER_BATCH) {
      return part.apply(what);
    }
    List<UUID> ids = List.copyOf(what.users());
    List<String> identifiers = List.copyOf(what.identifiers());
    int parts = Math.max(partsOf(ids.size(), BATCH), partsOf(identifiers.size(), IDENTIFIER_BATCH));
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < parts; i++) {
      Invalidation piece = new Invalidation(slice(ids, i, BATCH), i == 0 ? what.plainKeys() : List.of(),
        slice(identifiers, i, IDENTIFIER_BATCH));
      chain = chain.compose(v -> part.apply(piece));
    }
    return chain;
  }

  private static int partsOf(int size, int batch) {
    return (size + batch - 1) / batch;
  }

  /** The {@code i}-th run of {@code batch} elements (empty past the end). */
  private static <T> List<T> slice(List<T> all, int i, int batch) {
    int from = Math.min(all.size(), i * batch);
    return all.subList(from, Math.min(all.size(), from + batch));
  }

  /** Invalidations waiting for Redis (users, plain keys and identifiers). */
  public int pendingInvalidations() {
    return pendingUsers.size() + pendingKeys.size() + pendingIdentifiers.size();
  }

  private Future<Void> send(Invalidation what, Lsn committed) {
    UnaryOperator<Request> args = eval -> {
      eval.arg(3 + 2 * what.users().size() + 2 * what.plainKeys().size() + what.identifiers().size())
        .arg(generationKey).arg(writtenKey).arg(writtenUntilKey);
      for (UUID id : what.users()) {
        eval.arg(userKey(id)).arg(identifierKey(id.toString()));
      }
      for (String key : what.plainKeys()) {
        eval.arg(key).arg(plainMarkerKey(key));
      }
      for (String identifier : what.identifiers()) {
        eval.arg(identifierKey(identifier));
      }
      eval.arg(WRITTEN_WINDOW_SECONDS).arg(what.users().size()).arg(what.plainKeys().size()).arg(committed.marker())
        .arg(TRIM_EXTRA);
      for (UUID id : what.users()) {
        eval.arg(id.toString());
      }
      return eval;
    };
    return breaker.<Response>execute(() -> Timeouts.within(INVALIDATE.run(redis, args), timeoutMs)).map(r -> {
      learn(r.toString());
      return null;
    });
  }

  private void defer(Invalidation what, Lsn committed, Throwable err) {
    if (pendingInvalidations() + what.size() > PENDING_MAX) {
      invalidationsDropped.increment();
      // Still recorded in Postgres when it came from a write (CachedWrites): a sweep sends it once Redis is back.
      log.error("cache invalidation dropped from memory, replay queue full ({} user(s), {} key(s), {} identifier(s)): {}",
        what.users().size(), what.plainKeys().size(), what.identifiers().size(), err.toString());
      return;
    }
    invalidationsDeferred.increment();
    log.warn("cache invalidation deferred ({} user(s), {} key(s), {} identifier(s)): {}", what.users().size(),
      what.plainKeys().size(), what.identifiers().size(), err.toString());
    Deferred entry = new Deferred(stamps.incrementAndGet(), committed);
    what.users().forEach(id -> pendingUsers.merge(id, entry, Deferred::merge));
    what.plainKeys().forEach(key -> pendingKeys.merge(key, entry, Deferred::merge));
    what.identifiers().forEach(key -> pendingIdentifiers.merge(key, entry, Deferred::merge));
    scheduleReplay();
  }

  private void scheduleReplay() {
    if (replayScheduled.compareAndSet(false, true)) {
      // On the home context, not the failed request's: replay rounds (and their log lines, which would carry that
      // request's id) belong to no request.
      home.runOnContext(v -> vertx.setTimer(REPLAY_MS, t -> {
        replayScheduled.set(false);
        replay();
      }));
    }
  }

  /**
   * Sends what waits, in batches, marked with the latest commit position among them (a later position than a
   * user's own only keeps its replica reads on the primary a moment longer); an entry deferred again meanwhile (new
   * stamp) stays for the next round.
   */
  private void replay() {
    Map<UUID, Deferred> users = Map.copyOf(pendingUsers);
    Map<String, Deferred> keys = Map.copyOf(pendingKeys);
    Map<String, Deferred> identifiers = Map.copyOf(pendingIdentifiers);
    if (users.isEmpty() && keys.isEmpty() && identifiers.isEmpty()) {
      return;
    }
    Lsn committed = null;
    for (Map<?, Deferred> m : List.of(users, keys, identifiers)) {
      for (Deferred d : m.values()) {
        committed = Lsn.later(committed, d.committed());
      }
    }
    Lsn latest = committed;
    inParts(new Invalidation(users.keySet(), keys.keySet(), identifiers.keySet()), part -> send(part, latest).onSuccess(v -> {
      part.users().forEach(id -> pendingUsers.remove(id, users.get(id)));
      part.plainKeys().forEach(key -> pendingKeys.remove(key, keys.get(key)));
      part.identifiers().forEach(key -> pendingIdentifiers.remove(key, identifiers.get(key)));
    })).onComplete(ar -> {
      if (ar.succeeded()) {
        log.info("replayed {} deferred cache invalidation(s)", users.size() + keys.size() + identifiers.size());
      }
      if (pendingInvalidations() > 0) {
        scheduleReplay();
      }
    });
  }

  /** Stores a plain value (a dictionary list) under the same generation and written-marker rules as user details. */
  public Future<Fill> fillPlain(String generation, String key, Buffer value, long ttlSeconds, Lsn replayed) {
    if (generation == null) {
      return Future.succeededFuture(Fill.SKIPPED);
    }
    return fill(FILL_PLAIN, r -> r.arg(3).arg(generationKey).arg(key).arg(plainMarkerKey(key))
      .arg(generation).arg(value).arg(ttlSeconds).arg(replayedArg(replayed)));
  }

  /**
   * Runs a fill script: 1 stored, 2 replica data refused (behind a write), 3 a miss over the budget (counted), else
   * skipped; Redis trouble = skipped.
   */
  private Future<Fill> fill(RedisScript script, UnaryOperator<Request> args) {
    return breaker.<Response>execute(() -> Timeouts.within(script.run(redis, args), timeoutMs))
      .map(r -> {
        learn(r.get(1).toString());
        return switch (r.get(0).toInteger()) {
          case 1 -> Fill.STORED;
          case 2 -> Fill.NEEDS_PRIMARY;
          case 3 -> {
            unknownOverBudget.increment();
            yield Fill.SKIPPED;
          }
          default -> Fill.SKIPPED;
        };
      })
      .otherwise(Fill.SKIPPED);
  }
}

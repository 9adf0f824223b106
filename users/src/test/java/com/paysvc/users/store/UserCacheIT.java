package com.paysvc.users.store;

import com.paysvc.testing.TestStack;
import com.paysvc.testing.TcpProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache's exactness rules against the real Redis (db 1): generation check, written markers (replica data only
 * when the replica replayed past the user's last write), invalidations that name the entries they drop.
 * {@link UserCacheEvictionIT} shows that none of it rests on a key eviction could take.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCacheIT {
  /** Data read on the primary: no replay position. */
  private static final Lsn PRIMARY = null;
  /** Data read on a replica that had replayed this far. */
  private static final Lsn REPLICA = Lsn.parse("0/16B3748");
  private final String ns = "t" + UUID.randomUUID() + ":";
  private Vertx vertx;
  private Redis redis;
  private UserCache cache;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, redisUri(TestStack.REDIS_CACHE_PORT));
    cache = new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, ns, 1000);
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  @Test
  void aFillThatRacedWithAnInvalidationIsDropped() {
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    String before = await(cache.generation());
    await(cache.invalidateUsers(List.of(id)));     // a writer committed meanwhile
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillUser(before, key, id, Buffer.buffer("{\"old\":1}"), PRIMARY)));
    assertNull(await(cache.get(key)));
  }

  /**
   * The generation a miss starts from is the one this instance last saw in an answer of Redis (no GET per miss):
   * another instance's invalidation since then makes the fill refuse, and the refusal teaches the new generation,
   * so the next fill stores.
   */
  @Test
  void aGenerationLearnedFromAnswersRefusesAfterAnotherInstancesWriteThenCatchesUp() {
    UserCache other = new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, ns, 1000);
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    String seen = await(cache.generation());
    assertEquals(seen, await(cache.generation()), "read once, then known");
    await(other.invalidateUsers(List.of(UUID.randomUUID())));    // another instance wrote something
    String stale = await(cache.generation());
    assertEquals(seen, stale, "this instance has not seen the new generation yet");
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillUser(stale, key, id, Buffer.buffer("{\"v\":1}"), PRIMARY)));
    String learned = await(cache.generation());
    assertEquals(cmd(Command.GET, ns + UserCache.GENERATION_KEY).toString(), learned, "learned from the refusal");
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(learned, key, id, Buffer.buffer("{\"v\":2}"), PRIMARY)));
  }

  @Test
  void anUnknownIdentifierIsCachedEmptyAndDroppedByNamingIt() {
    String canonical = "nobody." + UUID.randomUUID() + "@x.org";
    String key = cache.identifierKey(canonical);
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.STORED, await(cache.fillUnknown(gen, key)));
    Buffer cached = await(cache.get(key));
    assertTrue(UserCache.isUnknown(cached));
    long ttl = cmd(Command.TTL, key).toLong();
    assertTrue(ttl > 25 && ttl <= 30, "ttl " + ttl);
    await(cache.invalidate(new UserCache.Invalidation(List.of(), List.of(), List.of(canonical))));
    assertNull(await(cache.get(key)));
    // A miss cached from before a write is refused like any other fill.
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillUnknown(gen, key)));
  }

  @Test
  void cachedMissesPastTheWindowsBudgetAreNotStored() {
    UserCache small = new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, ns + "budget:", 3);
    String gen = await(small.generation());
    for (int i = 0; i < 5; i++) {
      String key = small.identifierKey("+1555000" + i);
      assertEquals(i < 3 ? UserCache.Fill.STORED : UserCache.Fill.SKIPPED, await(small.fillUnknown(gen, key)));
      assertEquals(i < 3 ? 1 : 0, cmd(Command.EXISTS, key).toInteger(), key);
    }
    long ttl = cmd(Command.TTL, ns + "budget:user_unknown_budget").toLong();
    assertTrue(ttl > 0 && ttl <= UserCache.UNKNOWN_TTL_SECONDS, "the window ends: ttl " + ttl);
    // A counter that lost its expiry gets it back (else it would refuse forever).
    cmd(Command.PERSIST, ns + "budget:user_unknown_budget");
    assertEquals(UserCache.Fill.SKIPPED, await(small.fillUnknown(gen, small.identifierKey("+15550009"))));
    assertTrue(cmd(Command.TTL, ns + "budget:user_unknown_budget").toLong() > 0);
  }

  @Test
  void replicaDataRightAfterAWriteIsRefusedPrimaryDataIsStored() {
    UUID id = UUID.randomUUID();
    String key = cache.identifierKey("login_" + id);
    await(cache.invalidateUsers(List.of(id)));
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":1}"), REPLICA)));
    assertNull(await(cache.get(key)));
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":2}"), PRIMARY)));
    assertEquals(Buffer.buffer("{\"v\":2}"), await(cache.get(key)));
    long ttl = cmd(Command.TTL, key).toLong();
    assertEquals(true, ttl > 590 && ttl <= 600, "ttl " + ttl);
  }

  @Test
  void replicaDataRightAfterAWriteGoesToThePrimaryEvenWhenAnotherWriteMovedTheGeneration() {
    UUID id = UUID.randomUUID();
    String gen = await(cache.generation());
    await(cache.invalidateUsers(List.of(id)));                    // this user written: fresh marker, generation moved
    await(cache.invalidateUsers(List.of(UUID.randomUUID())));     // and some other write
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), REPLICA)));
    assertEquals(Lsn.UNKNOWN, await(cache.writtenAt(id)), "a write without a position: no replica has replayed it");
    assertNull(await(cache.writtenAt(UUID.randomUUID())));
  }

  /** The replayed position is compared with the write's by its 32-bit halves: above, equal, below in either half. */
  @Test
  void replicaDataIsStoredOnlyWhenTheReplicaReplayedUpToTheWrite() {
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    Lsn written = Lsn.parse("1/10");
    assertEquals(true, await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), written)), "Redis took it");
    assertEquals(written, await(cache.writtenAt(id)));
    assertEquals("0000000100000010", cmd(Command.HGET, ns + "users:written", id.toString()).toString());
    long now = cmd(Command.TIME).get(0).toLong();
    long window = cmd(Command.ZSCORE, ns + "users:written_until", id.toString()).toLong() - now;
    assertTrue(window > UserCache.USER_TTL_SECONDS && window <= UserCache.WRITTEN_WINDOW_SECONDS, "window " + window);
    String gen = await(cache.generation());
    for (String behind : List.of("0/FFFFFFFF", "1/F", "0/10")) {
      assertEquals(UserCache.Fill.NEEDS_PRIMARY,
        await(cache.fillUser(gen, key, id, Buffer.buffer("{\"old\":1}"), Lsn.parse(behind))), behind);
    }
    assertNull(await(cache.get(key)));
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":1}"), written)));
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":2}"), Lsn.parse("2/0"))));
    assertEquals(Buffer.buffer("{\"v\":2}"), await(cache.get(key)));
  }

  /** A replayed invalidation may arrive after a newer write's: the marker keeps the later position. */
  @Test
  void aMarkerKeepsTheLatestWriteWhateverOrderInvalidationsArriveIn() {
    UUID id = UUID.randomUUID();
    await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), Lsn.parse("5/0")));
    await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), Lsn.parse("4/FFFFFFFF")));
    assertEquals(Lsn.parse("5/0"), await(cache.writtenAt(id)));
    await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), Lsn.parse("5/1")));
    assertEquals(Lsn.parse("5/1"), await(cache.writtenAt(id)));
  }

  /** An older instance's marker ("1", no position) keeps replica data out, and a newer write does not shorten it. */
  @Test
  void aMarkerWithoutAPositionRefusesEveryReplica() {
    UUID id = UUID.randomUUID();
    cmd(Command.HSET, ns + "users:written", id.toString(), "1");
    String gen = await(cache.generation());
    Lsn far = Lsn.parse("FFFFFFFF/FFFFFFFE");
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), far)));
    assertEquals(Lsn.UNKNOWN, await(cache.writtenAt(id)));
    await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), Lsn.parse("3/0")));
    gen = await(cache.generation());
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), far)));
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), PRIMARY)));
  }

  @Test
  void anInvalidationThatCannotReachRedisIsReplayedWhenItCan() throws Exception {
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(await(cache.generation()), key, id, Buffer.buffer("{\"v\":1}"), PRIMARY)));
    try (TcpProxy proxy = new TcpProxy(TestStack.REDIS_CACHE_PORT)) {
      UserCache cut = new UserCache(vertx, Redis.createClient(vertx, redisUri(proxy.port())), new SimpleMeterRegistry(), 300, ns, 1000);
      proxy.breakAll();
      // Succeeds for the caller, queued; Redis did not take it now.
      assertEquals(false, await(cut.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), Lsn.parse("9/0"))));
      assertEquals(1, cut.pendingInvalidations());
      assertEquals(Buffer.buffer("{\"v\":1}"), await(cache.get(key)), "not yet: Redis was not reachable");
      proxy.heal();
      assertTrue(eventually(15_000, () -> cut.pendingInvalidations() == 0));
      assertNull(await(cache.get(key)));
      assertEquals(Lsn.parse("9/0"), await(cache.writtenAt(id)), "the replay carries the write's position");
    }
  }

  @Test
  void invalidationDeletesTheUsersKeysAndTheIdentifiersItNames() {
    UUID id = UUID.randomUUID();
    String phone = "+7999" + (id.hashCode() & 0xFFFFFF);
    String gen = await(cache.generation());
    List<String> keys = List.of(cache.userKey(id), cache.identifierKey(phone), cache.identifierKey(id.toString()));
    String other = cache.identifierKey("login_" + id);
    for (String key : List.of(keys.get(0), keys.get(1), keys.get(2), other)) {
      assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{}"), PRIMARY)));
    }
    await(cache.invalidate(new UserCache.Invalidation(List.of(id), List.of(), List.of(phone)), Lsn.parse("1/0")));
    for (String key : keys) {
      assertEquals(0, cmd(Command.EXISTS, key).toInteger(), key);
    }
    assertEquals(1, cmd(Command.EXISTS, other).toInteger(), "an identifier the invalidation did not name");
  }

  /** A renamed group's members: more users and identifiers than one script takes, sent in parts, all reached. */
  @Test
  void anInvalidationOfManyUsersReachesEveryOne() {
    String gen = await(cache.generation());
    List<UUID> ids = new java.util.ArrayList<>();
    List<String> identifiers = new java.util.ArrayList<>();
    for (int i = 0; i < UserCache.BATCH * 2 + 7; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), PRIMARY)));
    }
    for (int i = 0; i < UserCache.IDENTIFIER_BATCH * 2 + 3; i++) {
      String login = "many_" + i + "_" + UUID.randomUUID();
      identifiers.add(login);
      assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, cache.identifierKey(login), ids.get(i % ids.size()),
        Buffer.buffer("{}"), PRIMARY)));
    }
    await(cache.invalidate(new UserCache.Invalidation(ids, List.of(), identifiers), Lsn.parse("2/0")));
    for (UUID id : ids) {
      assertEquals(0, cmd(Command.EXISTS, cache.userKey(id)).toInteger(), id.toString());
      assertEquals(Lsn.parse("2/0"), await(cache.writtenAt(id)));
    }
    for (String login : identifiers) {
      assertEquals(0, cmd(Command.EXISTS, cache.identifierKey(login)).toInteger(), login);
    }
  }

  @Test
  void dictionaryListsFollowTheSameRules() {
    String key = cache.plainKey("users:user_groups");
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.STORED, await(cache.fillPlain(gen, key, Buffer.buffer("[]"), 3 * 3600, REPLICA)));
    assertEquals(Buffer.buffer("[]"), await(cache.get(key)));
    await(cache.invalidate(new UserCache.Invalidation(List.of(), List.of(key), List.of()), Lsn.parse("7/0")));
    assertNull(await(cache.get(key)));
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillPlain(gen, key, Buffer.buffer("[1]"), 3 * 3600, PRIMARY)));
    gen = await(cache.generation());
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillPlain(gen, key, Buffer.buffer("[1]"), 3 * 3600, Lsn.parse("6/0"))));
    assertEquals(UserCache.Fill.STORED, await(cache.fillPlain(gen, key, Buffer.buffer("[2]"), 3 * 3600, Lsn.parse("7/0"))));
  }

  /**
   * Fills go by the script's SHA1 (EVALSHA). A Redis that does not hold the script (restarted, failed over, flushed)
   * gets its text once (EVAL, which caches it there): the fill still stores, and later fills go by SHA1 again.
   */
  @Test
  void aFillStoresWhenRedisHasForgottenTheScript() {
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    cmd(Command.SCRIPT, "FLUSH");
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":1}"), PRIMARY)));
    assertEquals(Buffer.buffer("{\"v\":1}"), await(cache.get(key)));
    Response known = cmd(Command.SCRIPT, "EXISTS", UserCache.FILL.sha1());
    assertEquals(1, known.get(0).toInteger(), "the fill left its script in Redis's cache");
    UUID next = UUID.randomUUID();
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, cache.userKey(next), next, Buffer.buffer("{}"), PRIMARY)));
  }

  private static String redisUri(int port) {
    String password = System.getenv().getOrDefault("REDIS_PASSWORD", "");
    String auth = password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
    return "redis://" + auth + "127.0.0.1:" + port + "/1";
  }

  private Response cmd(Command c, String... args) {
    Request r = Request.cmd(c);
    for (String a : args) {
      r.arg(a);
    }
    return await(redis.send(r));
  }
}

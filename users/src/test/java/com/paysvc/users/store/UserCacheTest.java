package com.paysvc.users.store;

import com.paysvc.common.testing.TcpProxy;
import com.paysvc.common.testing.TestStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache's exactness rules against the real Redis (db 1): generation check, freshness window, reverse index. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCacheTest {
  private final String ns = "t" + UUID.randomUUID() + ":";
  private Vertx vertx;
  private Redis redis;
  private UserCache cache;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, redisUri(6379));
    cache = new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, ns);
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
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillUser(before, key, id, Buffer.buffer("{\"old\":1}"), false)));
    assertNull(await(cache.get(key)));
  }

  /**
   * The generation a miss starts from is the one this instance last saw in an answer of Redis (no GET per miss):
   * another instance's invalidation since then makes the fill refuse, and the refusal teaches the new generation,
   * so the next fill stores.
   */
  @Test
  void aGenerationLearnedFromAnswersRefusesAfterAnotherInstancesWriteThenCatchesUp() {
    UserCache other = new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, ns);
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    String seen = await(cache.generation());
    assertEquals(seen, await(cache.generation()), "read once, then known");
    await(other.invalidateUsers(List.of(UUID.randomUUID())));    // another instance wrote something
    String stale = await(cache.generation());
    assertEquals(seen, stale, "this instance has not seen the new generation yet");
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillUser(stale, key, id, Buffer.buffer("{\"v\":1}"), false)));
    String learned = await(cache.generation());
    assertEquals(cmd(Command.GET, ns + UserCache.GENERATION_KEY).toString(), learned, "learned from the refusal");
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(learned, key, id, Buffer.buffer("{\"v\":2}"), false)));
  }

  @Test
  void anUnknownIdentifierIsCachedEmptyAndDroppedWithItsSet() {
    String key = cache.identifierKey("Nobody." + UUID.randomUUID() + "@X.org");
    String normalised = "nobody@x.org-" + UUID.randomUUID();
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.STORED, await(cache.fillUnknown(gen, key, normalised)));
    Buffer cached = await(cache.get(key));
    assertTrue(UserCache.isUnknown(cached));
    long ttl = cmd(Command.TTL, key).toLong();
    assertTrue(ttl > 25 && ttl <= 30, "ttl " + ttl);
    await(cache.invalidate(new UserCache.Invalidation(List.of(), List.of(), List.of(normalised))));
    assertNull(await(cache.get(key)));
    assertEquals(0, cmd(Command.EXISTS, cache.unknownIndexKey(normalised)).toInteger());
    // A miss cached from before a write is refused like any other fill.
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillUnknown(gen, key, normalised)));
  }

  @Test
  void replicaDataRightAfterAWriteIsRefusedPrimaryDataIsStored() {
    UUID id = UUID.randomUUID();
    String key = cache.identifierKey("login_" + id);
    await(cache.invalidateUsers(List.of(id)));
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":1}"), true)));
    assertNull(await(cache.get(key)));
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{\"v\":2}"), false)));
    assertEquals(Buffer.buffer("{\"v\":2}"), await(cache.get(key)));
    long ttl = cmd(Command.TTL, key).toLong();
    assertEquals(true, ttl > 590 && ttl <= 600, "ttl " + ttl);
    assertEquals(1, cmd(Command.SISMEMBER, cache.indexKey(id), key).toInteger());
  }

  @Test
  void replicaDataRightAfterAWriteGoesToThePrimaryEvenWhenAnotherWriteMovedTheGeneration() {
    UUID id = UUID.randomUUID();
    String gen = await(cache.generation());
    await(cache.invalidateUsers(List.of(id)));                    // this user written: fresh marker, generation moved
    await(cache.invalidateUsers(List.of(UUID.randomUUID())));     // and some other write
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), true)));
    assertEquals(true, await(cache.recentlyWritten(id)));
    assertEquals(false, await(cache.recentlyWritten(UUID.randomUUID())));
  }

  @Test
  void anInvalidationThatCannotReachRedisIsReplayedWhenItCan() throws Exception {
    UUID id = UUID.randomUUID();
    String key = cache.userKey(id);
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(await(cache.generation()), key, id, Buffer.buffer("{\"v\":1}"), false)));
    try (TcpProxy proxy = new TcpProxy(6379)) {
      UserCache cut = new UserCache(vertx, Redis.createClient(vertx, redisUri(proxy.port())), new SimpleMeterRegistry(), 300, ns);
      proxy.breakAll();
      await(cut.invalidateUsers(List.of(id)));                    // succeeds for the caller, queued
      assertEquals(1, cut.pendingInvalidations());
      assertEquals(Buffer.buffer("{\"v\":1}"), await(cache.get(key)), "not yet: Redis was not reachable");
      proxy.heal();
      assertTrue(TestStack.eventually(15_000, () -> cut.pendingInvalidations() == 0));
      assertNull(await(cache.get(key)));
    }
  }

  @Test
  void invalidationDeletesEveryKeyInTheReverseIndex() {
    UUID id = UUID.randomUUID();
    String gen = await(cache.generation());
    List<String> keys = List.of(cache.userKey(id), cache.identifierKey("+7999" + id.hashCode()),
      cache.identifierKey(id.toString()));
    for (String key : keys) {
      assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{}"), false)));
    }
    assertEquals(3, cmd(Command.SCARD, cache.indexKey(id)).toInteger());
    await(cache.invalidateUsers(List.of(id)));
    for (String key : keys) {
      assertEquals(0, cmd(Command.EXISTS, key).toInteger(), key);
    }
    assertEquals(0, cmd(Command.EXISTS, cache.indexKey(id)).toInteger());
  }

  @Test
  void anInvalidationOfManyUsersReachesEveryOne() {
    String gen = await(cache.generation());
    List<UUID> ids = new java.util.ArrayList<>();
    for (int i = 0; i < UserCache.BATCH * 2 + 7; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), false)));
    }
    await(cache.invalidateUsers(ids));
    for (UUID id : ids) {
      assertEquals(0, cmd(Command.EXISTS, cache.userKey(id)).toInteger(), id.toString());
    }
  }

  @Test
  void dictionaryListsFollowTheSameRules() {
    String key = cache.plainKey("users:user_groups");
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.STORED, await(cache.fillPlain(gen, key, Buffer.buffer("[]"), 3 * 3600, true)));
    assertEquals(Buffer.buffer("[]"), await(cache.get(key)));
    await(cache.invalidate(List.of(), List.of(key)));
    assertNull(await(cache.get(key)));
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillPlain(gen, key, Buffer.buffer("[1]"), 3 * 3600, false)));
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

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

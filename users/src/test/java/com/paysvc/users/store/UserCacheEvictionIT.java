package com.paysvc.users.store;

import com.paysvc.testing.TestStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the cache's exactness rests on is never evictable (the cache's Redis evicts any key with a TTL: volatile-lru),
 * and what is not evictable stays bounded. Each test runs in a namespace of its own on the real cache instance;
 * "eviction" deletes every key of the namespace that has a TTL except the cached answers, which is what eviction may do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCacheEvictionIT {
  private static final Lsn WRITTEN = Lsn.parse("5/0");
  private static final Lsn BEHIND = Lsn.parse("4/FFFFFFFF");
  private Vertx vertx;
  private Redis redis;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, new RedisOptions()
      .setConnectionString("redis://127.0.0.1:" + TestStack.REDIS_CACHE_PORT + "/1")
      .setPassword(TestStack.env("REDIS_PASSWORD")));
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  /** (b) Replica data older than the user's last write is refused, whatever eviction took since the write. */
  @Test
  void aReplicaFillBehindAWriteIsRefusedAfterEverythingEvictableIsGone() {
    String ns = namespace();
    UserCache cache = cache(ns);
    UUID id = UUID.randomUUID();
    assertTrue(await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), WRITTEN)));
    evictAllButEntries(ns);
    assertEquals(WRITTEN, await(cache.writtenAt(id)), "the write's position was lost");
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{\"old\":1}"), BEHIND)));
    assertNull(await(cache.get(cache.userKey(id))));
    assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{\"new\":1}"), WRITTEN)));
  }

  /** (b) The same for a dictionary list. */
  @Test
  void aDictionaryFillBehindAWriteIsRefusedAfterEverythingEvictableIsGone() {
    String ns = namespace();
    UserCache cache = cache(ns);
    String key = cache.plainKey("users:user_groups");
    assertTrue(await(cache.invalidate(new UserCache.Invalidation(List.of(), List.of(key), List.of()), WRITTEN)));
    evictAllButEntries(ns);
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillPlain(gen, key, Buffer.buffer("[]"), 3 * 3600, BEHIND)));
    assertNull(await(cache.get(key)));
  }

  /** (a) An invalidation deletes the user's entries and those of the identifiers it names: no index to lose. */
  @Test
  void anInvalidationDropsTheEntriesItNamesWithNothingElseLeft() {
    String ns = namespace();
    UserCache cache = cache(ns);
    UUID id = UUID.randomUUID();
    String phone = "+1555" + (1_000_000 + (id.hashCode() & 0xFFFFF));
    String email = "e" + id + "@example.com";
    List<String> keys = List.of(cache.userKey(id), cache.identifierKey(id.toString()), cache.identifierKey(phone),
      cache.identifierKey(email));
    String gen = await(cache.generation());
    for (String key : keys) {
      assertEquals(UserCache.Fill.STORED, await(cache.fillUser(gen, key, id, Buffer.buffer("{}"), null)), key);
    }
    evictAllButEntries(ns);
    await(cache.invalidate(new UserCache.Invalidation(List.of(id), List.of(), List.of(phone, email)), WRITTEN));
    for (String key : keys) {
      assertEquals(0, cmd(Command.EXISTS, key).toInteger(), key);
    }
  }

  /**
   * Nothing exactness depends on has a TTL: after fills, misses and invalidations the namespace's keys with a TTL are
   * cached answers only, and the budget of cached misses (its loss only ends a window early).
   */
  @Test
  void onlyCachedAnswersAndTheMissBudgetHaveATtl() {
    String ns = namespace();
    UserCache cache = cache(ns);
    UUID id = UUID.randomUUID();
    String gen = await(cache.generation());
    await(cache.fillUser(gen, cache.identifierKey("+15550001234"), id, Buffer.buffer("{}"), null));
    await(cache.fillUser(gen, cache.userKey(id), id, Buffer.buffer("{}"), null));
    await(cache.fillPlain(gen, cache.plainKey("users:contact_types"), Buffer.buffer("[]"), 60, null));
    await(cache.invalidate(new UserCache.Invalidation(List.of(UUID.randomUUID()), List.of(cache.plainKey("users:user_groups")),
      List.of("x@example.com")), WRITTEN));
    gen = await(cache.generation());
    await(cache.fillUser(gen, cache.identifierKey("login_" + id), id, Buffer.buffer("{}"), null));
    List<String> withTtl = new ArrayList<>();
    for (String key : keys(ns)) {
      if (cmd(Command.PTTL, key).toLong() > 0 && !isEntry(ns, key) && !key.equals(ns + "user_unknown_budget")) {
        withTtl.add(key);
      }
    }
    assertEquals(List.of(), withTtl, "evictable keys that are no cached answer");
  }

  /**
   * The written markers are one hash and one sorted set without TTL, bounded: every invalidation trims expired
   * entries (at least as many as it adds, plus some), so they hold the users written within the window, no more.
   */
  @Test
  void writtenMarkersPastTheirWindowAreTrimmedAndLiveOnesKept() {
    String ns = namespace();
    UserCache cache = cache(ns);
    String hash = ns + "users:written";
    String expiry = ns + "users:written_until";
    long now = cmd(Command.TIME).get(0).toLong();
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String expired = UUID.randomUUID().toString();
      cmd(Command.HSET, hash, expired, "0000000100000000");
      cmd(Command.ZADD, expiry, Long.toString(now - 1 - i), expired);
    }
    for (int i = 0; i < 5; i++) {
      String id = UUID.randomUUID().toString();
      live.add(id);
      cmd(Command.HSET, hash, id, "0000000100000000");
      cmd(Command.ZADD, expiry, Long.toString(now + 300), id);
    }
    List<UUID> writtenNow = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      UUID id = UUID.randomUUID();
      writtenNow.add(id);
      await(cache.invalidate(UserCache.Invalidation.ofUsers(List.of(id)), WRITTEN));
    }
    assertEquals(0, cmd(Command.ZCOUNT, expiry, "-inf", Long.toString(now - 1)).toInteger(), "expired entries left");
    assertEquals(live.size() + writtenNow.size(), cmd(Command.HLEN, hash).toInteger());
    assertEquals(live.size() + writtenNow.size(), cmd(Command.ZCARD, expiry).toInteger());
    for (String id : live) {
      assertEquals("0000000100000000", cmd(Command.HGET, hash, id).toString());
    }
    for (UUID id : writtenNow) {
      assertEquals(WRITTEN, await(cache.writtenAt(id)));
      long until = cmd(Command.ZSCORE, expiry, id.toString()).toLong();
      assertTrue(until >= now + 660 && until <= now + 665, "expiry " + (until - now) + " s from now");
    }
    assertEquals(-1, cmd(Command.TTL, hash).toLong(), "the markers must not be evictable");
    assertEquals(-1, cmd(Command.TTL, expiry).toLong(), "the markers must not be evictable");
  }

  // Helpers --------------------------------------------------------------------------------------------------

  private static String namespace() {
    return "t" + UUID.randomUUID() + ":";
  }

  private UserCache cache(String ns) {
    return new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, ns, 100);
  }

  /** Deletes every key of {@code ns} that has a TTL, except cached answers: what eviction may do. */
  private void evictAllButEntries(String ns) {
    for (String key : keys(ns)) {
      if (!isEntry(ns, key) && cmd(Command.PTTL, key).toLong() > 0) {
        cmd(Command.DEL, key);
      }
    }
  }

  private static boolean isEntry(String ns, String key) {
    return key.startsWith(ns + "user:") || key.startsWith(ns + "user_by_identifier:")
      || key.equals(ns + "users:user_groups") || key.equals(ns + "users:contact_types");
  }

  private List<String> keys(String ns) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = cmd(Command.SCAN, cursor, "MATCH", ns + "*", "COUNT", "1000");
      cursor = page.get(0).toString();
      page.get(1).forEach(k -> keys.add(k.toString()));
    } while (!cursor.equals("0"));
    // The dictionary lists' markers are named fresh:{key}.
    cursor = "0";
    do {
      Response page = cmd(Command.SCAN, cursor, "MATCH", "fresh:" + ns + "*", "COUNT", "1000");
      cursor = page.get(0).toString();
      page.get(1).forEach(k -> keys.add(k.toString()));
    } while (!cursor.equals("0"));
    return keys;
  }

  private Response cmd(Command c, String... args) {
    Request r = Request.cmd(c);
    for (String a : args) {
      r.arg(a);
    }
    return await(redis.send(r));
  }
}

package com.paysvc.users.store;

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

/** The cache's exactness rules against the real Redis (db 1): generation check, freshness window, reverse index. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserCacheTest {
  private Vertx vertx;
  private Redis redis;
  private UserCache cache;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    String password = System.getenv().getOrDefault("REDIS_PASSWORD", "");
    String auth = password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
    redis = Redis.createClient(vertx, "redis://" + auth + "127.0.0.1:6379/1");
    cache = new UserCache(vertx, redis, new SimpleMeterRegistry(), 1000, "t" + UUID.randomUUID() + ":");
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
  void dictionaryListsFollowTheSameRules() {
    String key = cache.plainKey("users:user_groups");
    String gen = await(cache.generation());
    assertEquals(UserCache.Fill.STORED, await(cache.fillPlain(gen, key, Buffer.buffer("[]"), 3 * 3600, true)));
    assertEquals(Buffer.buffer("[]"), await(cache.get(key)));
    await(cache.invalidate(List.of(), List.of(key)));
    assertNull(await(cache.get(key)));
    assertEquals(UserCache.Fill.SKIPPED, await(cache.fillPlain(gen, key, Buffer.buffer("[1]"), 3 * 3600, false)));
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

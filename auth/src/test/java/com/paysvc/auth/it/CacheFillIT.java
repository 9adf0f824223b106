package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever fills users' cache, the security state stays: the cache is its own Redis instance, bounded by maxmemory
 * with LRU eviction, and auth's deny-list, not-before times and limiters live on the other one, which never evicts
 * (issue 27). The cache instance is filled past its maxmemory; a logged-out token stays rejected by auth and by users,
 * and the login limiter goes on counting from where it was.
 */
class CacheFillIT extends PlatformIT {
  /** 1 MB values: a few hundred SETs fill the cache's 256 MB. */
  private static final int VALUE_BYTES = 1 << 20;
  private static final int MAX_PER_IP = 3;

  private final String fillPrefix = "user_cachefill_it:" + UUID.randomUUID() + ":";
  private final List<String> filled = new ArrayList<>();
  private Vertx vertx;
  private Redis cache;
  private Redis state;

  @Override
  protected Map<String, String> settings() {
    return Map.of("LOGIN_MAX_FAILURES_PER_IP", Integer.toString(MAX_PER_IP));
  }

  @BeforeAll
  void clients() {
    vertx = Vertx.vertx();
    cache = Redis.createClient(vertx, options(TestStack.REDIS_CACHE_PORT));
    state = Redis.createClient(vertx, options(TestStack.REDIS_STATE_PORT));
  }

  @AfterAll
  void cleanUp() {
    if (vertx == null) {
      return;
    }
    for (int i = 0; i < filled.size(); i += 100) {
      Request del = Request.cmd(Command.DEL);
      filled.subList(i, Math.min(filled.size(), i + 100)).forEach(del::arg);
      await(cache.send(del));
    }
    await(vertx.close());
  }

  private static RedisOptions options(int port) {
    // The operator's default user: the services' own users may not read the servers' configuration and statistics.
    return new RedisOptions().setConnectionString("redis://127.0.0.1:" + port + "/1")
      .setPassword(TestStack.env("REDIS_PASSWORD")).setMaxPoolWaiting(4096);
  }

  @Test
  void aCacheFilledPastItsMaxmemoryEvictsNothingOfTheSecurityState() {
    // A logged-out token, and a client IP one failed login short of its limit.
    Platform.Person person = person();
    String id = p.register(person);
    String token = p.login(person, person.email()).getString("access_token");
    assertEquals(200, p.usersCall("GET", "/accounts/users/" + id, null, token).status());
    assertEquals(204, p.post("/auth/logout", null, token, null).status());
    String ip = Platform.randomIp();
    for (int i = 0; i < MAX_PER_IP - 1; i++) {
      assertEquals(401, badLogin(ip).status());
    }
    long stateEvicted = info(state, "evicted_keys");
    long cacheEvicted = info(cache, "evicted_keys");

    long maxmemory = Long.parseLong(config(cache, "maxmemory"));
    assertTrue(maxmemory > 0, "the cache's Redis has no maxmemory");
    assertEquals("volatile-lru", config(cache, "maxmemory-policy"));
    assertEquals("noeviction", config(state, "maxmemory-policy"));
    Buffer value = Buffer.buffer(new byte[VALUE_BYTES]);
    long toWrite = maxmemory + 64L * VALUE_BYTES;
    for (long written = 0; written < toWrite; written += VALUE_BYTES) {
      String key = fillPrefix + filled.size();
      filled.add(key);
      await(cache.send(Request.cmd(Command.SET).arg(key).arg(value).arg("EX").arg(600)));
    }

    assertTrue(info(cache, "evicted_keys") > cacheEvicted, "the cache evicted nothing: it was not filled");
    assertTrue(info(cache, "used_memory") <= maxmemory + 2L * VALUE_BYTES, "the cache grew past its maxmemory");
    assertEquals(stateEvicted, info(state, "evicted_keys"), "the security state's Redis evicted keys");
    // The logged-out token is still refused, by auth and by users (their guards read the security state)...
    assertEquals(401, p.authGet("/auth/me", token).status());
    assertEquals(401, p.usersCall("GET", "/accounts/users/" + id, null, token).status());
    // ... and the limiter counts on: the last allowed failure, then the refusal.
    assertEquals(401, badLogin(ip).status());
    Http.Response refused = badLogin(ip);
    assertEquals(429, refused.status(), refused.body());
  }

  private Http.Response badLogin(String ip) {
    Platform.Person nobody = person();
    return p.post("/auth/login", nobody.login(nobody.email()), null, ip);
  }

  /** CONFIG GET answers a map (RESP3). */
  private static String config(Redis redis, String name) {
    return await(redis.send(Request.cmd(Command.CONFIG).arg("GET").arg(name))).get(name).toString();
  }

  private long info(Redis redis, String field) {
    Response info = await(redis.send(Request.cmd(Command.INFO).arg(field.equals("evicted_keys") ? "stats" : "memory")));
    for (String line : info.toString().split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1));
      }
    }
    throw new IllegalStateException("INFO has no " + field);
  }
}

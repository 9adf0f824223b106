package com.paysvc.users;

import com.paysvc.testing.TestStack;
import com.paysvc.users.store.Lsn;
import com.paysvc.users.store.UserCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache stays exact under eviction (issue 27): its Redis runs {@code maxmemory} with {@code volatile-lru}, so any
 * key with a TTL may go at any moment, and a full cache evicts all the time. Here everything of this run's namespace
 * that eviction could take, except the cached answers themselves, is deleted (what eviction may do: the answers a
 * reader keeps asking for stay, the bookkeeping nobody reads goes), then a write and reads show that nothing stale
 * is left; and the cache instance is really filled past its maxmemory.
 */
class CacheEvictionIT extends UsersTestBase {
  /** Values of the junk that fills the cache: small enough that eviction samples every key many times over. */
  private static final int JUNK_BYTES = 64 << 10;

  /**
   * A deactivation, a profile change: every identifier of the user shows the write at once (the login that looks a
   * deactivated user up by identifier must not find it active), though nothing but the entries was left in Redis.
   */
  @Test
  void aWriteAfterTheUsersBookkeepingWasEvictedDropsEveryEntryOfTheUser() {
    List<String> identifiers = userWithEveryIdentifier();
    String id = identifiers.get(0);

    warm(id, identifiers);
    evictAllButEntries();
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("profile", new JsonObject().put("name", "Changed"))), 200);
    for (String identifier : identifiers) {
      assertEquals("Changed", name(assertOk(get(byIdentifier(identifier)), 200)), identifier);
    }
    assertEquals("Changed", name(assertOk(get("/accounts/users/" + id), 200)));

    warm(id, identifiers);
    evictAllButEntries();
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200);
    for (String identifier : identifiers) {
      assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
    }
    assertEquals(false, assertOk(get("/accounts/users/" + id), 200).getBoolean("is_active"));
  }

  /** A contact changed, released or replaced: its old value names nobody at once, its new one the user. */
  @Test
  void aContactsOldValueStopsNamingTheUserThoughItsBookkeepingWasEvicted() {
    String phone = randomPhone();
    String email = "old" + randomToken() + "@example.com";
    String login = "old_" + randomToken();
    JsonObject created = createUser(phone, email, login);
    String id = created.getString("id");

    warm(id, List.of(id, phone, email, login));
    evictAllButEntries();
    String newEmail = "new" + randomToken() + "@example.com";
    assertOk(patch("/accounts/contacts/" + contactId(created, "email"), new JsonObject().put("value", newEmail)), 200);
    assertError(get(byIdentifier(email)), 404, "NOT_FOUND");
    assertEquals(id, assertOk(get(byIdentifier(newEmail)), 200).getString("id"));

    warm(id, List.of(id, phone, newEmail, login));
    evictAllButEntries();
    assertOk(delete("/accounts/contacts/" + contactId(created, "phone")), 200);
    assertError(get(byIdentifier(phone)), 404, "NOT_FOUND");
    assertTrue(assertOk(get(byIdentifier(id)), 200).getJsonArray("contacts").stream()
      .noneMatch(c -> phone.equals(((JsonObject) c).getString("value"))), "the released phone is still shown");

    // A new second_login replaces the old one (the database deactivates it): the old one names nobody.
    warm(id, List.of(id, newEmail, login));
    evictAllButEntries();
    String newLogin = "new_" + randomToken();
    assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "second_login").put("value", newLogin)), 201);
    assertError(get(byIdentifier(login)), 404, "NOT_FOUND");
    assertEquals(id, assertOk(get(byIdentifier(newLogin)), 200).getString("id"));
  }

  /** A membership added and a group renamed reach the user's entries under every identifier. */
  @Test
  void aMembershipAndARenameReachEveryEntryThoughTheBookkeepingWasEvicted() {
    String phone = randomPhone();
    String email = "member" + randomToken() + "@example.com";
    String id = createUser(phone, email, null).getString("id");
    List<String> identifiers = List.of(id, phone, email);
    String group = "evict" + randomToken();
    String groupId = assertOk(post("/accounts/user-groups", new JsonObject().put("name", group)), 201).getString("id");

    warm(id, identifiers);
    evictAllButEntries();
    assertOk(post("/accounts/user-group-memberships", new JsonObject().put("user_id", id).put("group_id", groupId)), 201);
    for (String identifier : identifiers) {
      assertEquals(List.of(group), groups(assertOk(get(byIdentifier(identifier)), 200)), identifier);
    }

    warm(id, identifiers);
    evictAllButEntries();
    String renamed = group + "_renamed";
    assertOk(patch("/accounts/user-groups/" + groupId, new JsonObject().put("name", renamed)), 200);
    for (String identifier : identifiers) {
      assertEquals(List.of(renamed), groups(assertOk(get(byIdentifier(identifier)), 200)), identifier);
    }
    assertEquals(List.of(renamed), groups(assertOk(get("/accounts/users/" + id), 200)));
  }

  /** A cached 404 of an identifier that a write then gives someone goes with the write, though nothing else was left. */
  @Test
  void aCachedMissOfAnIdentifierAWriteGivesIsDroppedThoughItsBookkeepingWasEvicted() {
    String email = "Later" + randomToken() + "@Example.com";
    String phone = randomPhone();
    for (String identifier : List.of(email, phone)) {
      assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
      assertTrue(cachedMiss(identifier.toLowerCase()), "the 404 of " + identifier + " is not cached");
    }
    evictAllButEntries();
    String id = createUser(null, email.toLowerCase(), null).getString("id");
    assertEquals(id, assertOk(get(byIdentifier(email)), 200).getString("id"));

    evictAllButEntries();
    assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "phone").put("value", phone)), 201);
    assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
  }

  /**
   * The cache instance really filled past its maxmemory with junk that has a TTL (as any full cache is), the user's
   * entries kept in use meanwhile: whatever eviction took, a replica row older than the user's last write is refused,
   * and a deactivation reaches every identifier.
   */
  @Test
  void aCacheFilledPastItsMaxmemoryStaysExact() {
    List<String> identifiers = userWithEveryIdentifier();
    String id = identifiers.get(0);
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("profile", new JsonObject().put("name", "Written"))), 200);
    warm(id, identifiers);

    Redis operator = Redis.createClient(vertx, new RedisOptions()
      .setConnectionString("redis://127.0.0.1:" + TestStack.REDIS_CACHE_PORT + "/1")
      .setPassword(TestStack.env("REDIS_PASSWORD")).setMaxPoolWaiting(4096));
    String junkPrefix = "user_cacheevictionit:" + UUID.randomUUID() + ":";
    List<String> junk = new ArrayList<>();
    try {
      long maxmemory = Long.parseLong(await(operator.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory")))
        .get("maxmemory").toString());
      assertTrue(maxmemory > 0, "the cache's Redis has no maxmemory");
      long evictedBefore = info(operator, "stats", "evicted_keys");
      Buffer value = Buffer.buffer(new byte[JUNK_BYTES]);
      long written = 0;
      // Until well past maxmemory and until eviction took every key of the namespace but the entries, which this
      // test keeps reading (an entry evicted anyway is read again through the service, as a client would).
      while (written < maxmemory + (64L << 20) || !evictableBookkeeping().isEmpty()) {
        assertTrue(written < 8 * maxmemory, () -> "eviction left " + evictableBookkeeping());
        List<Future<Response>> sets = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          String key = junkPrefix + junk.size();
          junk.add(key);
          sets.add(operator.send(Request.cmd(Command.SET).arg(key).arg(value).arg("EX").arg(600)));
        }
        await(Future.all(sets));
        written += 64L * JUNK_BYTES;
        for (String key : entries(id, identifiers)) {
          if (redis(cacheRedis, Command.GET, key) == null) {
            warm(id, identifiers);
            break;
          }
        }
      }
      assertTrue(info(operator, "stats", "evicted_keys") > evictedBefore, "nothing was evicted");
      assertTrue(info(operator, "memory", "used_memory") <= maxmemory + (4L << 20), "the cache grew past maxmemory");
      System.out.printf("CacheEvictionIT: %d MB of junk written, %d keys evicted%n", written >> 20,
        info(operator, "stats", "evicted_keys") - evictedBefore);

      // A fill of replica data read before the user's last write (at "0/1", before any write) is refused.
      UserCache cache = new UserCache(vertx, cacheRedis, new SimpleMeterRegistry(), 1000, ns, 10);
      assertEquals(UserCache.Fill.NEEDS_PRIMARY, await(cache.fillUser(await(cache.generation()), ns + "user:" + id,
        UUID.fromString(id), Buffer.buffer("{\"stale\":true}"), Lsn.parse("0/1"))), "a stale replica row was cached");

      assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200);
      for (String identifier : identifiers) {
        assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
      }
      assertEquals(false, assertOk(get("/accounts/users/" + id), 200).getBoolean("is_active"));
    } finally {
      for (int i = 0; i < junk.size(); i += 500) {
        Request del = Request.cmd(Command.DEL);
        junk.subList(i, Math.min(junk.size(), i + 500)).forEach(del::arg);
        await(operator.send(del));
      }
    }
  }

  // Helpers --------------------------------------------------------------------------------------------------

  /** A new user in the group client with a phone, an e-mail and a second_login: its id, then those. */
  private List<String> userWithEveryIdentifier() {
    String phone = randomPhone();
    String email = "evicted" + randomToken() + "@example.com";
    String login = "evicted_" + randomToken();
    return List.of(createUser(phone, email, login, "client").getString("id"), phone, email, login);
  }

  /** Reads the user by each identifier and by id, and checks that each answer is cached now. */
  private void warm(String id, List<String> identifiers) {
    for (String identifier : identifiers) {
      assertOk(get(byIdentifier(identifier)), 200);
    }
    assertOk(get("/accounts/users/" + id), 200);
    for (String key : entries(id, identifiers)) {
      assertTrue(redis(cacheRedis, Command.EXISTS, key).toInteger() == 1, key + " is not cached");
    }
  }

  private List<String> entries(String id, List<String> identifiers) {
    List<String> keys = new ArrayList<>();
    keys.add(ns + "user:" + id);
    identifiers.forEach(i -> keys.add(ns + "user_by_identifier:" + i));
    return keys;
  }

  /**
   * Deletes every key of this run's namespace that has a TTL, except the cached answers (user details, identifier
   * entries and cached misses, dictionary lists): what eviction may take while readers keep the answers in use.
   */
  private void evictAllButEntries() {
    List<String> keys = evictableBookkeeping();
    if (!keys.isEmpty()) {
      redis(cacheRedis, Command.DEL, keys.toArray());
    }
  }

  /** The keys of this run's namespace that have a TTL and are no cached answer. */
  private List<String> evictableBookkeeping() {
    List<String> found = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = redis(cacheRedis, Command.SCAN, cursor, "MATCH", ns + "*", "COUNT", "1000");
      cursor = page.get(0).toString();
      for (Response k : page.get(1)) {
        String key = k.toString();
        if (!isEntry(key) && redis(cacheRedis, Command.PTTL, key).toLong() > 0) {
          found.add(key);
        }
      }
    } while (!cursor.equals("0"));
    return found;
  }

  private boolean isEntry(String key) {
    return key.startsWith(ns + "user:") || key.startsWith(ns + "user_by_identifier:")
      || key.equals(ns + "users:user_groups") || key.equals(ns + "users:contact_types");
  }

  private boolean cachedMiss(String canonical) {
    Response r = redis(cacheRedis, Command.GET, ns + "user_by_identifier:" + canonical);
    return r != null && r.toString().isEmpty();
  }

  private static String contactId(JsonObject user, String type) {
    return user.getJsonArray("contacts").stream().map(c -> (JsonObject) c).filter(c -> type.equals(c.getString("type")))
      .findFirst().orElseThrow().getString("id");
  }

  private static List<String> groups(JsonObject user) {
    List<String> names = new ArrayList<>();
    user.getJsonArray("groups", new JsonArray()).forEach(g -> names.add(((JsonObject) g).getString("name")));
    return names;
  }

  private static String name(JsonObject user) {
    return user.getJsonObject("profile").getString("name");
  }

  private static long info(Redis redis, String section, String field) {
    String info = await(redis.send(Request.cmd(Command.INFO).arg(section))).toString();
    return info.lines().filter(l -> l.startsWith(field + ":")).mapToLong(l -> Long.parseLong(l.substring(field.length() + 1).trim()))
      .findFirst().orElseThrow();
  }
}

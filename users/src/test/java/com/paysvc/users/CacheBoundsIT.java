package com.paysvc.users;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a caller can make the users cache hold (issue 27, item 1): one entry per canonical identifier however many
 * spellings it is asked in, and a bounded number of cached misses however many identifiers nobody has.
 */
class CacheBoundsIT extends UsersTestBase {
  /** Small, so the test spends it; production's default is 2 000 per 30 s. */
  private static final int UNKNOWN_MAX = 25;

  @Override
  protected Map<String, String> extraEnv() {
    return Map.of("USERS_CACHE_UNKNOWN_MAX", Integer.toString(UNKNOWN_MAX));
  }

  @Test
  void manySpellingsOfOneUsersIdAndEmailStoreOneEntryEach() {
    String email = "Spell." + randomToken() + "@Example.COM";
    // A profile large enough that copies would show in Redis's memory, within the default profile bound (8192 bytes).
    JsonObject created = assertOk(post("/accounts/users", new JsonObject()
      .put("profile", new JsonObject().put("bio", "x".repeat(8_000)))
      .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "email").put("value", email)))), 201);
    String id = created.getString("id");
    int record = created.toBuffer().length();
    Random random = new Random(27);
    Set<String> spellings = new LinkedHashSet<>();
    while (spellings.size() < 64) {
      spellings.add(uuidSpelling(id, random));
    }
    while (spellings.size() < 128) {
      spellings.add(mixedCase(email, random));
    }

    long before = usedMemory();
    for (String spelling : spellings) {
      assertEquals(id, assertOk(get(byIdentifier(spelling)), 200).getString("id"), spelling);
    }
    long growth = usedMemory() - before;
    System.out.printf("CacheBoundsIT: %d spellings of one user (record %d bytes): Redis used_memory grew %d bytes%n",
      spellings.size(), record, growth);

    String idKey = ns + "user_by_identifier:" + id;
    String emailKey = ns + "user_by_identifier:" + email.toLowerCase(Locale.ROOT);
    assertEquals(new TreeSet<>(List.of(idKey, emailKey)), keysOf(id, email), "one entry per canonical identifier");
    // Two copies of the record are expected; other tests share this Redis, so allow for their noise, far below the
    // 128 copies the spellings would have stored before.
    assertTrue(growth < 8L * record, () -> "Redis grew " + growth + " bytes for a record of " + record);
  }

  @Test
  void cachedMissesStayWithinTheBudget() throws Exception {
    // Spellings of one unknown e-mail are one cached miss.
    String unknownEmail = "Nobody." + randomToken() + "@Example.ORG";
    for (int i = 0; i < 10; i++) {
      assertError(get(byIdentifier(mixedCase(unknownEmail, new Random(i)))), 404, "NOT_FOUND");
    }
    Response miss = redis(cacheRedis, Command.GET, ns + "user_by_identifier:" + unknownEmail.toLowerCase(Locale.ROOT));
    assertEquals("", miss == null ? null : miss.toString(), "cached under the canonical e-mail");
    assertEquals(1, cachedMisses().size(), "spellings of one e-mail");

    // Endless identifiers nobody has: each answered 404, at most UNKNOWN_MAX of them cached.
    double overBefore = metric("paysvc_users_cache_unknown_over_budget_total");
    for (int i = 0; i < 200; i++) {
      assertError(get(byIdentifier(randomPhone())), 404, "NOT_FOUND");
    }
    Set<String> misses = cachedMisses();
    System.out.printf("CacheBoundsIT: 201 unknown identifiers, %d cached misses (budget %d per 30 s)%n",
      misses.size(), UNKNOWN_MAX);
    assertTrue(misses.size() <= UNKNOWN_MAX, () -> misses.size() + " cached misses, budget " + UNKNOWN_MAX);
    assertTrue(metric("paysvc_users_cache_unknown_over_budget_total") - overBefore >= 200 - 2 * UNKNOWN_MAX,
      "misses past the budget are counted");
    for (String key : misses) {
      long ttl = redis(cacheRedis, Command.TTL, key).toLong();
      assertTrue(ttl > 0 && ttl <= 30, key + " ttl " + ttl);
    }

    // Past the budget a found user is still cached, and an unknown identifier still answers 404.
    String phone = randomPhone();
    createUser(phone, null, null);
    assertOk(get(byIdentifier(phone)), 200);
    assertTrue(cached("user_by_identifier:" + phone));
    assertError(get(byIdentifier(randomPhone())), 404, "NOT_FOUND");
  }

  @Test
  void aUuidSpelledSecondLoginIsNeverTakenForAnotherSpelling() {
    String u = UUID.randomUUID().toString();
    String upper = u.toUpperCase(Locale.ROOT);
    String hex = u.replace("-", "");
    String a = createUser(null, null, upper).getString("id");
    String b = createUser(null, null, hex).getString("id");
    for (int round = 0; round < 2; round++) {
      assertEquals(a, assertOk(get(byIdentifier(upper)), 200).getString("id"));
      assertEquals(b, assertOk(get(byIdentifier(hex)), 200).getString("id"));
      assertError(get(byIdentifier(u)), 404, "NOT_FOUND");
      assertError(get(byIdentifier("{" + u + "}")), 404, "NOT_FOUND");
    }
    // Concurrent misses of different spellings do not share an answer.
    List<String> asked = new ArrayList<>();
    List<io.vertx.core.Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String spelling = List.of(upper, hex, u).get(i % 3);
      asked.add(spelling);
      inFlight.add(req(io.vertx.core.http.HttpMethod.GET, byIdentifier(spelling), admin).send());
    }
    for (int i = 0; i < asked.size(); i++) {
      HttpResponse<Buffer> r = await(inFlight.get(i));
      String spelling = asked.get(i);
      if (spelling.equals(u)) {
        assertEquals(404, r.statusCode(), spelling);
      } else {
        assertEquals(spelling.equals(upper) ? a : b, r.bodyAsJsonObject().getString("id"), spelling);
      }
    }
    assertFalse(cached("user_by_identifier:" + u), "no answer of a second_login under the canonical UUID");
  }

  // Helpers --------------------------------------------------------------------------------------------------

  /** A random spelling PostgreSQL's uuid input accepts: case per digit, hyphens after any group of four, braces. */
  static String uuidSpelling(String id, Random random) {
    String hex = id.replace("-", "");
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      if (i > 0 && i % 4 == 0 && random.nextBoolean()) {
        s.append('-');
      }
      char c = hex.charAt(i);
      s.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return random.nextBoolean() ? "{" + s + "}" : s.toString();
  }

  static String mixedCase(String s, Random random) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return out.toString();
  }

  private long usedMemory() {
    String info = redis(cacheRedis, Command.INFO, "memory").toString();
    return info.lines().filter(l -> l.startsWith("used_memory:")).mapToLong(l -> Long.parseLong(l.substring(12).trim()))
      .findFirst().orElseThrow();
  }

  /** This run's identifier keys of any spelling of the id or the e-mail. */
  private Set<String> keysOf(String id, String email) {
    String prefix = ns + "user_by_identifier:";
    String hex = id.replace("-", "");
    Set<String> found = new TreeSet<>();
    for (String key : scan(prefix + "*")) {
      String named = key.substring(prefix.length()).toLowerCase(Locale.ROOT);
      if (named.replaceAll("[-{}]", "").equals(hex) || named.equals(email.toLowerCase(Locale.ROOT))) {
        found.add(key);
      }
    }
    return found;
  }

  private Set<String> cachedMisses() {
    Set<String> misses = new HashSet<>();
    for (String key : scan(ns + "user_by_identifier:*")) {
      Response v = redis(cacheRedis, Command.GET, key);
      if (v != null && v.toString().isEmpty()) {
        misses.add(key);
      }
    }
    return misses;
  }

  private List<String> scan(String pattern) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = redis(cacheRedis, Command.SCAN, cursor, "MATCH", pattern, "COUNT", "1000");
      cursor = page.get(0).toString();
      page.get(1).forEach(k -> keys.add(k.toString()));
    } while (!cursor.equals("0"));
    return keys;
  }
}

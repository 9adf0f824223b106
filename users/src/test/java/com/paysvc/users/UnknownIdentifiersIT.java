package com.paysvc.users;

import com.paysvc.users.store.CanonicalIdentifier;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A lookup of an identifier nobody has is cached as a 404 (30 s), under its canonical form, and every write that
 * makes it somebody's drops it before answering: a create (any spelling of its e-mail), a contact added, a
 * reactivation. A UUID-shaped identifier that is no user's id is not cached (it is then a second_login spelled as
 * given: one spelling's 404 is not another's), so it is found at once too.
 */
class UnknownIdentifiersIT extends UsersTestBase {

  private String cachedValue(String identifier) {
    Response r = redis(cacheRedis, Command.GET, ns + "user_by_identifier:" + CanonicalIdentifier.of(identifier));
    return r == null ? null : r.toString();
  }

  private double unknownHits() {
    String page = get("/metrics", null).bodyAsString();
    return page.lines().filter(l -> l.startsWith("paysvc_users_cache_total{") && l.contains("result=\"unknown_hit\""))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private void assertUnknownAndCached(String identifier) {
    assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
    assertEquals("", cachedValue(identifier), "the miss is not cached");
    double before = unknownHits();
    assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
    assertEquals(before + 1, unknownHits(), "the second 404 did not come from the cache");
  }

  private void assertUnknownAndNotCached(String identifier) {
    assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
    assertNull(cachedValue(identifier), identifier);
  }

  private void assertFound(String identifier, String id) {
    assertEquals(id, assertOk(get(byIdentifier(identifier)), 200).getString("id"), identifier);
  }

  @Test
  void aCreatedUsersEmailIsFoundInTheSpellingThatWasUnknown() {
    String email = "Later." + randomToken() + "@Example.COM";
    assertUnknownAndCached(email);
    assertUnknownAndCached(email.toLowerCase());
    String id = createUser(null, email.toLowerCase(), null).getString("id");
    assertNull(cachedValue(email), "the cached miss outlived the create");
    assertFound(email, id);
    assertFound(email.toLowerCase(), id);
  }

  @Test
  void anAddedContactIsFoundAtOnce() {
    String phone = randomPhone();
    String login = "late_" + randomToken();
    String id = createUser(null, null, "first_" + randomToken()).getString("id");
    assertUnknownAndCached(phone);
    assertUnknownAndCached(login);
    assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "phone").put("value", phone)), 201);
    assertFound(phone, id);
    assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "second_login").put("value", login)), 201);
    assertFound(login, id);
  }

  @Test
  void aReactivatedUserIsFoundByEverySpellingOfItsId() {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200);
    String braced = "{" + id.toUpperCase() + "}";
    String hex = id.replace("-", "");
    assertUnknownAndCached(phone);
    for (String identifier : new String[] {id, braced, hex}) {
      assertUnknownAndNotCached(identifier);
    }
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", true)), 200);
    for (String identifier : new String[] {id, braced, hex, phone}) {
      assertFound(identifier, id);
    }
  }

  @Test
  void aUuidShapedSecondLoginIsFoundInTheSpellingThatWasUnknown() {
    // Nobody's id, so looked up as a second_login spelled as given.
    String login = UUID.randomUUID().toString().toUpperCase();
    assertUnknownAndNotCached(login);
    String id = createUser(null, null, null).getString("id");
    assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "second_login").put("value", login)), 201);
    assertFound(login, id);
  }
}

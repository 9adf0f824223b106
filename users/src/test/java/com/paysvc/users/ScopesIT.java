package com.paysvc.users;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Least privilege for service clients: a service token gets exactly what its scopes grant, an admin everything, a
 * plain user nothing of anyone else's. Each case runs on a fresh user made by the admin, so an allowed write
 * never changes what another case sees.
 */
class ScopesIT extends UsersTestBase {
  private static final String LOOKUP = "users:lookup";
  private static final String READ = "users:read";
  private static final String CREATE = "users:create";
  private static final String DEACTIVATE = "users:deactivate";
  private static final String WRITE = "users:write";
  /** Every scope users knows, and none at all (a service client granted nothing here). */
  private static final List<String> SCOPES = List.of(LOOKUP, READ, CREATE, DEACTIVATE, WRITE, "");

  /** A user made for one case: a phone contact, group client. */
  private record Fixture(String id, String phone, String contactId, String clientGroup) {
  }

  /** A route, the scopes that grant it, and what it answers when allowed. */
  private record Route(String name, Set<String> grantedBy, int ok, BiFunction<Fixture, String, HttpResponse<Buffer>> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  // The table ------------------------------------------------------------------------------------------------

  List<Route> routes() {
    return List.of(
      new Route("GET by-identifier", Set.of(LOOKUP, READ), 200, (f, t) -> get(byIdentifier(f.phone()), t)),
      new Route("GET by-identifier include_inactive", Set.of(READ), 200,
        (f, t) -> get(byIdentifier(f.phone()) + "&include_inactive=true", t)),
      new Route("GET /users", Set.of(READ), 200, (f, t) -> get("/accounts/users?page=1&size=1", t)),
      new Route("GET /users/{id}", Set.of(READ), 200, (f, t) -> get("/accounts/users/" + f.id(), t)),
      new Route("GET /contacts/user/{id}", Set.of(READ), 200, (f, t) -> get("/accounts/contacts/user/" + f.id(), t)),
      new Route("GET /contacts/{id}", Set.of(READ), 200, (f, t) -> get("/accounts/contacts/" + f.contactId(), t)),
      new Route("GET /user-group-memberships?user_id", Set.of(READ), 200,
        (f, t) -> get("/accounts/user-group-memberships?user_id=" + f.id(), t)),
      new Route("GET /user-group-memberships/{user}/{group}", Set.of(READ), 200,
        (f, t) -> get("/accounts/user-group-memberships/" + f.id() + "/" + f.clientGroup(), t)),
      new Route("POST /users", Set.of(CREATE, WRITE), 201, (f, t) -> send(HttpMethod.POST, "/accounts/users", t,
        new JsonObject().put("contacts", new JsonArray().add(contact("phone", randomPhone()))).put("groups", new JsonArray().add("client")))),
      new Route("PATCH /users/{id} {is_active:false}", Set.of(DEACTIVATE, WRITE), 200,
        (f, t) -> send(HttpMethod.PATCH, "/accounts/users/" + f.id(), t, new JsonObject().put("is_active", false))),
      new Route("DELETE /contacts/{id}", Set.of(DEACTIVATE, WRITE), 200,
        (f, t) -> send(HttpMethod.DELETE, "/accounts/contacts/" + f.contactId(), t, null)),
      new Route("PATCH /users/{id} {profile}", Set.of(WRITE), 200, (f, t) -> send(HttpMethod.PATCH, "/accounts/users/" + f.id(), t,
        new JsonObject().put("profile", new JsonObject().put("name", "P")))),
      // Deactivation and anything else is no longer only a deactivation.
      new Route("PATCH /users/{id} {is_active:false, profile}", Set.of(WRITE), 200, (f, t) -> send(HttpMethod.PATCH,
        "/accounts/users/" + f.id(), t, new JsonObject().put("is_active", false).put("profile", new JsonObject().put("name", "P")))),
      new Route("PATCH /users/{id} {is_active:true}", Set.of(WRITE), 200,
        (f, t) -> send(HttpMethod.PATCH, "/accounts/users/" + f.id(), t, new JsonObject().put("is_active", true))),
      new Route("POST /contacts", Set.of(WRITE), 201, (f, t) -> send(HttpMethod.POST, "/accounts/contacts", t,
        contact("email", "s" + randomToken() + "@example.com").put("user_id", f.id()))),
      new Route("PATCH /contacts/{id}", Set.of(WRITE), 200, (f, t) -> send(HttpMethod.PATCH, "/accounts/contacts/" + f.contactId(), t,
        new JsonObject().put("value", randomPhone()))),
      new Route("POST /user-group-memberships", Set.of(WRITE), 201, (f, t) -> send(HttpMethod.POST, "/accounts/user-group-memberships", t,
        new JsonObject().put("user_id", f.id()).put("group_id", groupId("driver")))),
      new Route("DELETE /user-group-memberships/{user}/{group}", Set.of(WRITE), 200,
        (f, t) -> send(HttpMethod.DELETE, "/accounts/user-group-memberships/" + f.id() + "/" + f.clientGroup(), t, null)),
      new Route("POST /users/bulk", Set.of(WRITE), 200, (f, t) -> send(HttpMethod.POST, "/accounts/users/bulk", t,
        new JsonObject().put("users", new JsonArray().add(new JsonObject().put("contacts", new JsonArray().add(contact("phone", randomPhone()))))))),
      new Route("POST /users/bulk/upload", Set.of(WRITE), 200, (f, t) -> uploadAs(t, "phone,user_groups\n" + randomPhone() + ",client\n")),
      new Route("POST /user-groups", Set.of(WRITE), 201, (f, t) -> send(HttpMethod.POST, "/accounts/user-groups", t,
        new JsonObject().put("name", "g_" + randomToken()))),
      new Route("PATCH /user-groups/{id}", Set.of(WRITE), 200, (f, t) -> send(HttpMethod.PATCH, "/accounts/user-groups/" + f.clientGroup(), t,
        new JsonObject().put("description", "paying clients " + randomToken()))),
      new Route("POST /contact-types", Set.of(WRITE), 201, (f, t) -> send(HttpMethod.POST, "/accounts/contact-types", t,
        new JsonObject().put("name", "t_" + randomToken()))));
  }

  Stream<Arguments> everyRouteWithEveryScope() {
    List<Arguments> cases = new ArrayList<>();
    for (Route r : routes()) {
      for (String scope : SCOPES) {
        cases.add(Arguments.of(r, scope));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} with scope ''{1}''")
  @MethodSource("everyRouteWithEveryScope")
  void aServiceClientGetsExactlyWhatItsScopeGrants(Route route, String scope) {
    Fixture f = fixture();
    HttpResponse<Buffer> resp = route.call().apply(f, scope.isEmpty() ? tokens.service("bare") : tokens.service("svc", scope));
    if (route.grantedBy().contains(scope)) {
      assertEquals(route.ok(), resp.statusCode(), () -> route + " with " + scope + ": " + resp.bodyAsString());
    } else {
      assertError(resp, 403, "FORBIDDEN");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void anAdminMayCallEveryRoute(Route route) {
    HttpResponse<Buffer> resp = route.call().apply(fixture(), admin);
    assertEquals(route.ok(), resp.statusCode(), resp::bodyAsString);
  }

  /** Reads of a record found by a value: a plain user reads only its own, so someone else's is not found. */
  private static final Set<String> CONFINED = Set.of("GET by-identifier", "GET /contacts/{id}");

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void aPlainUserMayCallNoneOfThemOnSomeoneElse(Route route) {
    String someoneElse = tokens.token(UUID.randomUUID().toString(), "client");
    HttpResponse<Buffer> resp = route.call().apply(fixture(), someoneElse);
    if (CONFINED.contains(route.name())) {
      assertError(resp, 404, "NOT_FOUND");
    } else {
      assertError(resp, 403, "FORBIDDEN");
    }
  }

  @Test
  void dictionariesAreReadableByEveryCaller() {
    List<String> callers = new ArrayList<>();
    for (String scope : SCOPES) {
      callers.add(scope.isEmpty() ? tokens.service("bare") : tokens.service("svc", scope));
    }
    callers.add(tokens.token(UUID.randomUUID().toString()));
    callers.add(admin);
    for (String t : callers) {
      assertEquals(200, get("/accounts/user-groups", t).statusCode());
      assertEquals(200, get("/accounts/contact-types", t).statusCode());
    }
  }

  @Test
  void aRefusedWriteChangesNothing() {
    Fixture f = fixture();
    assertError(send(HttpMethod.PATCH, "/accounts/users/" + f.id(), tokens.service("svc", DEACTIVATE),
      new JsonObject().put("is_active", false).put("profile", new JsonObject().put("name", "X"))), 403, "FORBIDDEN");
    JsonObject user = assertOk(get("/accounts/users/" + f.id()), 200);
    assertEquals("T", user.getJsonObject("profile").getString("name"));
    assertEquals(true, user.getBoolean("is_active"));
  }

  // The platform's own clients --------------------------------------------------------------------------------

  @Test
  void webhooksTokenLooksUpByIdentifierAndNothingElse() {
    String webhook = tokens.service("webhook", LOOKUP);
    Fixture f = fixture();
    assertEquals(f.id(), assertOk(get(byIdentifier(f.phone()), webhook), 200).getString("id"));
    assertError(get(byIdentifier(randomPhone()), webhook), 404, "NOT_FOUND");
    assertError(get("/accounts/users/" + f.id(), webhook), 403, "FORBIDDEN");
    assertError(send(HttpMethod.POST, "/accounts/users", webhook, new JsonObject()), 403, "FORBIDDEN");
    assertError(send(HttpMethod.POST, "/accounts/user-group-memberships", webhook,
      new JsonObject().put("user_id", f.id()).put("group_id", groupId("admin"))), 403, "FORBIDDEN");
    assertEquals(List.of("client"), UsersApiIT.names(assertOk(get("/accounts/users/" + f.id()), 200).getJsonArray("groups")));
  }

  @Test
  void authsTokenRegistersAndCompensatesButCannotEditProfiles() {
    String auth = tokens.service("auth", LOOKUP, READ, CREATE, DEACTIVATE);
    String phone = randomPhone();
    String email = "a" + randomToken() + "@example.com";
    // Registration: the user is created.
    JsonObject user = assertOk(send(HttpMethod.POST, "/accounts/users", auth, new JsonObject()
      .put("profile", new JsonObject().put("name", "R"))
      .put("contacts", new JsonArray().add(contact("phone", phone)).add(contact("email", email)))), 201);
    String id = user.getString("id");
    assertEquals(id, assertOk(get(byIdentifier(email), auth), 200).getString("id"));
    assertEquals(id, assertOk(get("/accounts/users/" + id, auth), 200).getString("id"));
    // But not the profile afterwards.
    assertError(send(HttpMethod.PATCH, "/accounts/users/" + id, auth,
      new JsonObject().put("profile", new JsonObject().put("name", "Mallory"))), 403, "FORBIDDEN");
    // Compensation of a failed registration: deactivate the user, release its contacts.
    assertFalse(assertOk(send(HttpMethod.PATCH, "/accounts/users/" + id, auth, new JsonObject().put("is_active", false)), 200)
      .getBoolean("is_active"));
    for (Object o : user.getJsonArray("contacts")) {
      String contactId = ((JsonObject) o).getString("id");
      assertFalse(assertOk(send(HttpMethod.DELETE, "/accounts/contacts/" + contactId, auth, null), 200).getBoolean("is_active"));
    }
    assertEquals("R", assertOk(get("/accounts/users/" + id), 200).getJsonObject("profile").getString("name"));
    // The released phone can be registered again.
    assertOk(send(HttpMethod.POST, "/accounts/users", auth, new JsonObject()
      .put("contacts", new JsonArray().add(contact("phone", phone)))), 201);
  }

  // Helpers -------------------------------------------------------------------------------------------------

  private Fixture fixture() {
    JsonObject user = createUser(randomPhone(), null, null, "client");
    JsonObject phone = user.getJsonArray("contacts").getJsonObject(0);
    return new Fixture(user.getString("id"), phone.getString("value"), phone.getString("id"),
      user.getJsonArray("groups").getJsonObject(0).getString("id"));
  }

  private static JsonObject contact(String type, String value) {
    return new JsonObject().put("type", type).put("value", value);
  }

  @Override
  protected HttpResponse<Buffer> send(HttpMethod method, String uri, String token, JsonObject body) {
    return body == null ? await(req(method, uri, token).send()) : super.send(method, uri, token, body);
  }

  private HttpResponse<Buffer> uploadAs(String token, String csv) {
    return await(req(HttpMethod.POST, "/accounts/users/bulk/upload", token)
      .sendMultipartForm(MultipartForm.create().binaryFileUpload("file", "users.csv", Buffer.buffer(csv), "text/csv")));
  }
}

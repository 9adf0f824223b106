package com.paysvc.users;

import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.testing.ApiErrors;
import com.paysvc.testing.TestStack;
import com.paysvc.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One users service per test class, on a fresh database of the real stack, with its own token issuer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UsersTestBase {
  protected Vertx vertx;
  protected TestTokens tokens;
  protected ServiceLauncher launcher;
  protected WebClient http;
  protected Redis cacheRedis;
  protected Redis authRedis;
  protected String database;
  protected String admin;
  /** This run's cache key prefix: parallel runs sharing the stack's Redis never see each other's entries. */
  protected final String ns = "t" + randomToken() + ":";

  @BeforeAll
  void startService() {
    vertx = Vertx.vertx();
    tokens = await(TestTokens.start(vertx));
    database = TestStack.createDatabase("users_test");
    Map<String, String> env = new HashMap<>(tokens.env());
    env.put("USERS_CACHE_NAMESPACE", ns);
    env.putAll(extraEnv());
    launcher = await(ServiceLauncher.startForTest(new UsersDefinition(), TestStack.serviceEnv(database, env)));
    http = WebClient.create(vertx);
    String password = System.getenv().getOrDefault("REDIS_PASSWORD", "");
    String auth = password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
    cacheRedis = Redis.createClient(vertx, "redis://" + auth + "127.0.0.1:" + TestStack.REDIS_CACHE_PORT + "/1");
    authRedis = Redis.createClient(vertx, "redis://" + auth + "127.0.0.1:" + TestStack.REDIS_STATE_PORT + "/0");
    admin = tokens.token(realAdmin(), "admin");
  }

  /**
   * A new user in the group admin, made in the database (there is no admin yet to ask): writes admitted by the admin
   * role check that the token's subject is an active admin (Access.confirmAdmin), so a token that merely says admin
   * writes nothing. In the database the service runs on (a test may name another than its fresh one). Returns its id.
   */
  protected String realAdmin() {
    String served = extraEnv().getOrDefault("PG_DATABASE", database);
    try (java.sql.Connection c = TestStack.superuser(served); java.sql.Statement s = c.createStatement()) {
      return text(s, "SELECT accounts.create_user_v2('{\"groups\": [\"admin\"]}'::jsonb, true)::jsonb ->> 'id'");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  protected Map<String, String> extraEnv() {
    return Map.of();
  }

  @AfterAll
  void stopService() {
    if (launcher != null) {
      launcher.stop().orTimeout(60, TimeUnit.SECONDS).join();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  protected HttpRequest<Buffer> req(HttpMethod method, String uri, String token) {
    HttpRequest<Buffer> r = http.request(method, launcher.context().httpPort(), "127.0.0.1", uri);
    if (token != null) {
      r.bearerTokenAuthentication(token);
    }
    return r;
  }

  protected HttpResponse<Buffer> get(String uri, String token) {
    return await(req(HttpMethod.GET, uri, token).send());
  }

  protected HttpResponse<Buffer> get(String uri) {
    return get(uri, admin);
  }

  protected HttpResponse<Buffer> send(HttpMethod method, String uri, String token, JsonObject body) {
    return await(req(method, uri, token).sendJsonObject(body));
  }

  protected HttpResponse<Buffer> post(String uri, JsonObject body) {
    return send(HttpMethod.POST, uri, admin, body);
  }

  protected HttpResponse<Buffer> patch(String uri, JsonObject body) {
    return send(HttpMethod.PATCH, uri, admin, body);
  }

  protected HttpResponse<Buffer> delete(String uri) {
    return await(req(HttpMethod.DELETE, uri, admin).send());
  }

  protected HttpResponse<Buffer> upload(String fileName, Buffer content, String mediaType) {
    return await(req(HttpMethod.POST, "/accounts/users/bulk/upload", admin)
      .sendMultipartForm(MultipartForm.create().binaryFileUpload("file", fileName, content, mediaType)));
  }

  protected String groupId(String name) {
    return new JsonArray(get("/accounts/user-groups").body()).stream().map(o -> (JsonObject) o)
      .filter(o -> o.getString("name").equals(name)).findFirst().orElseThrow().getString("id");
  }

  static String byIdentifier(String identifier) {
    return "/accounts/users/by-identifier?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8);
  }

  /** Asserts status and the SPEC §3 error shape; returns the error body. */
  static JsonObject assertError(HttpResponse<Buffer> resp, int status, String code) {
    return ApiErrors.assertError(resp.statusCode(), resp.bodyAsString(), status, code);
  }

  static JsonObject assertOk(HttpResponse<Buffer> resp, int status) {
    assertEquals(status, resp.statusCode(), () -> "body: " + resp.bodyAsString());
    return resp.bodyAsJsonObject();
  }

  static String randomPhone() {
    return "+7" + (9_000_000_000L + ThreadLocalRandom.current().nextLong(999_999_999L));
  }

  static String randomToken() {
    return Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36);
  }

  protected JsonObject createUser(String phone, String email, String secondLogin, String... groups) {
    JsonArray contacts = new JsonArray();
    if (phone != null) {
      contacts.add(new JsonObject().put("type", "phone").put("value", phone));
    }
    if (email != null) {
      contacts.add(new JsonObject().put("type", "email").put("value", email));
    }
    if (secondLogin != null) {
      contacts.add(new JsonObject().put("type", "second_login").put("value", secondLogin));
    }
    return assertOk(post("/accounts/users", new JsonObject().put("profile", new JsonObject().put("name", "T"))
      .put("contacts", contacts).put("groups", new JsonArray(java.util.List.of(groups)))), 201);
  }

  protected Response redis(Redis r, Command cmd, Object... args) {
    Request req = Request.cmd(cmd);
    for (Object a : args) {
      req.arg(a.toString());
    }
    return await(r.send(req));
  }

  /** A counter or gauge of the service's Prometheus page (the sum over its label sets); 0 when absent. */
  protected double metric(String name) {
    String page = await(http.request(HttpMethod.GET, launcher.context().httpPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
    return page.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  protected boolean cached(String key) {
    return redis(cacheRedis, Command.EXISTS, ns + key).toInteger() == 1;
  }

  /** The first column of the first row of {@code query} as text (null when there is no row). */
  protected static String text(java.sql.Statement sql, String query) {
    try (java.sql.ResultSet rs = sql.executeQuery(query)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

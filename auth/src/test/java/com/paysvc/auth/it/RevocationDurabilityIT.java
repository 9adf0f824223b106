package com.paysvc.auth.it;

import com.paysvc.testing.AuthCredentials;
import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deny-list lives in Redis db 0: it survives a restart of Redis (append-only file), and when Redis comes back
 * empty anyway auth writes it again from its database. While Redis is down nothing is acknowledged that could not
 * be enforced.
 */
class RevocationDurabilityIT extends PlatformIT {

  @Test
  void aLoggedOutTokenStaysRejectedAcrossARedisRestartAndAFlush() throws Exception {
    Platform.Person a = person();
    String id = p.register(a);
    String loggedOut = p.login(a, a.email()).getString("access_token");
    Platform.Person b = person();
    String bid = p.register(b);
    String cutOff = p.login(b, b.phone()).getString("access_token");
    assertEquals(204, p.post("/auth/logout", null, loggedOut, null).status());
    assertEquals(204, Platform.send(p.authPort(), "POST", "/auth/logout?all=true", null, cutOff, null).status());
    assertRejected(loggedOut, id);
    assertRejected(cutOff, bid);

    Vertx vertx = Vertx.vertx();
    try {
      String pw = System.getenv().getOrDefault("REDIS_PASSWORD", "");
      Redis redis = Redis.createClient(vertx, "redis://" + (pw.isEmpty() ? "" : ":" + URLEncoder.encode(pw, StandardCharsets.UTF_8) + "@")
        + "127.0.0.1:6379/0");
      String denied = "auth:revoked:" + AuthCredentials.ISSUER + ":" + Platform.claimsOf(loggedOut).getString("jti");
      assertEquals(1, await(redis.send(Request.cmd(Command.EXISTS).arg(denied))).toInteger());
      String loadedAt = await(redis.send(Request.cmd(Command.GET).arg("auth:revocations:loaded:" + p.authDatabase))).toString();
      // A key auth never writes: if it is back after the restart, Redis' own append-only file brought it back.
      String probe = "it:aof-probe:" + java.util.UUID.randomUUID();
      await(redis.send(Request.cmd(Command.SET).arg(probe).arg("1").arg("EX").arg(120)));
      Thread.sleep(1100); // appendfsync everysec
      TestStack.stack("redis-stop");
      try {
        // Nothing that could not be enforced is acknowledged: login answers 503.
        assertError(p.post("/auth/login", a.login(a.phone()), null, randomIp()), 503, "DEPENDENCY_UNAVAILABLE");
      } finally {
        TestStack.stack("redis-start");
      }
      // Back from its append-only file...
      assertEquals(1, await(redis.send(Request.cmd(Command.EXISTS).arg(probe))).toInteger(), "no append-only file?");
      // ...and auth, seeing a new run_id (the file may miss the last second of writes), writes its state again.
      assertTrue(eventually(10_000, () -> !loadedAt.equals(
        await(redis.send(Request.cmd(Command.GET).arg("auth:revocations:loaded:" + p.authDatabase))).toString())), "no reload after a restart");
      assertEquals(1, await(redis.send(Request.cmd(Command.EXISTS).arg(denied))).toInteger());
      // Still rejected (once each guard's breaker lets the check run again).
      assertTrue(eventually(15_000, () -> rejected(loggedOut, id) && rejected(cutOff, bid)),
        "a logged-out token works again after a Redis restart");

      // Redis loses everything (a flush, a restart without its file): the guards' memory still has it, and auth
      // notices and writes it all back (for guards that start later, or whose subscription is down).
      await(redis.send(Request.cmd(Command.FLUSHDB)));
      assertTrue(rejected(loggedOut, id) && rejected(cutOff, bid), "a flush made a guard forget");
      assertTrue(eventually(10_000, () -> await(redis.send(Request.cmd(Command.EXISTS)
          .arg("auth:revocations:loaded:" + p.authDatabase).arg(denied))).toInteger() == 2),
        "the deny-list was not restored from auth's database");
      assertTrue(rejected(loggedOut, id) && rejected(cutOff, bid));
    } finally {
      await(vertx.close());
    }
  }

  /**
   * The deactivation event reaches auth while Redis is away (RabbitMQ held it until then): the handler records the
   * cut-off in the database and succeeds; once Redis is back auth writes it there, and the token is rejected.
   */
  @Test
  void aDeactivationHandledWhileRedisIsDownIsEnforcedOnceItIsBack() throws Exception {
    Platform.Person d = person();
    String id = p.register(d);
    String access = p.login(d, d.email()).getString("access_token");
    TestStack.stack("rabbitmq-stop");
    try {
      Http.Response patch = p.usersCall("PATCH", "/accounts/users/" + id, new JsonObject().put("is_active", false), p.admin());
      assertEquals(200, patch.status(), patch.body());
      TestStack.stack("redis-stop");
    } finally {
      TestStack.stack("rabbitmq-start");
    }
    try {
      // The event is handled (and acked) while Redis is down: the cut-off is in auth's database.
      assertTrue(eventually(30_000, () -> notBeforeInDatabase(id)), "user.deactivated not handled");
    } finally {
      TestStack.stack("redis-start");
    }
    assertTrue(eventually(15_000, () -> p.usersCall("GET", "/accounts/users/" + id, null, access).status() == 401),
      "the deactivated user's token still works after Redis came back");
  }

  private boolean notBeforeInDatabase(String userId) {
    try (java.sql.Connection c = TestStack.superuser(p.authDatabase);
         java.sql.PreparedStatement s = c.prepareStatement("SELECT count(*) FROM auth.user_not_before WHERE user_id = ?::uuid")) {
      s.setString(1, userId);
      try (java.sql.ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void assertRejected(String token, String userId) {
    assertError(p.authGet("/auth/me", token), 401, "UNAUTHORIZED");
    assertError(p.usersCall("GET", "/accounts/users/" + userId, null, token), 401, "UNAUTHORIZED");
  }

  private boolean rejected(String token, String userId) {
    return p.authGet("/auth/me", token).status() == 401
      && p.usersCall("GET", "/accounts/users/" + userId, null, token).status() == 401;
  }

  @Test
  void whileRedisIsDownLogoutIsRefusedAndReadsStayAvailable() throws Exception {
    Platform.Person c = person();
    String id = p.register(c);
    JsonObject pair = p.login(c, c.login());
    String access = pair.getString("access_token");
    TestStack.stack("redis-stop");
    try {
      Http.Response out = p.post("/auth/logout", null, access, null);
      assertError(out, 503, "DEPENDENCY_UNAVAILABLE");
      assertEquals(200, p.usersCall("GET", "/accounts/users/" + id, null, access).status(), "reads stay available");
      assertError(p.usersCall("PATCH", "/accounts/users/" + id, new JsonObject().put("is_active", false), p.admin()),
        503, "DEPENDENCY_UNAVAILABLE");
      // ... and counted.
      String metrics = Http.get(p.users.port(), "/metrics").body();
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith("paysvc_auth_revocation_unknown_writes_refused_total")
        && !l.endsWith(" 0.0")), "refused writes are not counted");
    } finally {
      TestStack.stack("redis-start");
    }
    assertTrue(eventually(15_000, () -> p.post("/auth/logout", null, access, null).status() == 204));
    assertTrue(eventually(15_000, () -> rejected(access, id)));
  }
}

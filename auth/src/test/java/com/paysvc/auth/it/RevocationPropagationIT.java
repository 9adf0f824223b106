package com.paysvc.auth.it;

import com.paysvc.testing.AuthCredentials;
import com.paysvc.testing.Http;
import com.paysvc.testing.ServiceProcess;
import com.paysvc.testing.TestStack;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two users instances hold auth's revocation state in memory (fed over Redis pub/sub): a logout, and a logout of
 * every session, is enforced by both within one second of auth acknowledging it, and stays enforced with the Redis
 * key gone (so memory, not a per-request Redis read, rejected it).
 */
class RevocationPropagationIT extends PlatformIT {
  private ServiceProcess second;
  private Vertx vertx;
  private Redis redis;

  @BeforeAll
  void secondInstance() {
    second = p.startUsers();
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:6379/0")
      .setPassword(TestStack.env("REDIS_PASSWORD")));
  }

  @AfterAll
  void stopSecond() {
    if (second != null) {
      second.close();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private List<Integer> ports() {
    return List.of(p.users.port(), second.port());
  }

  private static int status(int port, String id, String token) {
    return Platform.send(port, "GET", "/accounts/users/" + id, null, token, null).status();
  }

  private boolean viewLive(int port) {
    Http.Response m = Platform.send(port, "GET", "/metrics", null, null, null);
    return m.status() == 200 && m.body().contains("paysvc_auth_revocation_view_live 1.0");
  }

  @Test
  void aLogoutIsEnforcedByBothInstancesWithinOneSecond() throws Exception {
    for (int port : ports()) {
      assertTrue(eventually(10_000, () -> viewLive(port)), "users on " + port + " has no live revocation view");
    }
    Platform.Person a = person();
    String id = p.register(a);
    String token = p.login(a, a.email()).getString("access_token");
    for (int port : ports()) {
      assertEquals(200, status(port, id, token));
    }
    assertEquals(204, p.post("/auth/logout", null, token, null).status());
    long acknowledged = System.nanoTime();
    for (int port : ports()) {
      assertTrue(eventually(1000, () -> status(port, id, token) == 401), "instance " + port + " still admits the token");
    }
    long ms = (System.nanoTime() - acknowledged) / 1_000_000;
    assertTrue(ms <= 1000, "took " + ms + " ms");
    String key = "auth:revoked:" + AuthCredentials.ISSUER + ":" + Platform.claimsOf(token).getString("jti");
    assertEquals(1, await(redis.send(Request.cmd(Command.DEL).arg(key))).toInteger());
    for (int port : ports()) {
      assertEquals(401, status(port, id, token), "memory forgot the logout once the key was gone");
    }
  }

  @Test
  void aLogoutOfEverySessionIsEnforcedByBothInstancesWithinOneSecond() throws Exception {
    Platform.Person b = person();
    String id = p.register(b);
    String first = p.login(b, b.email()).getString("access_token");
    String other = p.login(b, b.phone()).getString("access_token");
    for (int port : ports()) {
      assertEquals(200, status(port, id, other));
    }
    assertEquals(204, Platform.send(p.authPort(), "POST", "/auth/logout?all=true", null, first, null).status());
    long acknowledged = System.nanoTime();
    for (int port : ports()) {
      assertTrue(eventually(1000, () -> status(port, id, other) == 401), "instance " + port + " admits another session");
    }
    assertTrue((System.nanoTime() - acknowledged) / 1_000_000 <= 1000);
  }
}

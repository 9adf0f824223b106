package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failed logins per account and per client IP: increment-first, so a parallel burst is cut at exactly the limit. */
class LoginLimitIT extends PlatformIT {
  static final int PER_ACCOUNT = 5;
  static final int PER_IP = 8;

  @Override
  protected Map<String, String> settings() {
    return Map.of("LOGIN_MAX_FAILURES", Integer.toString(PER_ACCOUNT),
      "LOGIN_MAX_FAILURES_PER_IP", Integer.toString(PER_IP), "LOGIN_LOCKOUT_SECONDS", "2", "REGISTER_MAX_PER_IP", "3");
  }

  Http.Response login(String identifier, String password, String ip) {
    return p.post("/auth/login", new JsonObject().put("identifier", identifier).put("password", password), null, ip);
  }

  @Test
  void aParallelBurstOf50WrongPasswordsChecksNoMoreThanTheLimit() throws Exception {
    Platform.Person a = person();
    p.register(a);
    int n = 50;
    // Every attempt from its own IP: only the account's limit can stop them.
    List<Http.Response> answers = Platform.concurrently(n, n, i -> login(a.email(), "wrong-password", randomIp()));
    int checked = 0;
    int limited = 0;
    for (Http.Response r : answers) {
      if (r.status() == 401) {
        checked++;
      } else {
        JsonObject err = assertError(r, 429, "RATE_LIMITED");
        long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
        assertEquals(retryAfter, err.getJsonObject("details").getLong("retry_after_seconds"));
        limited++;
      }
    }
    assertEquals(PER_ACCOUNT, checked, "exactly the limit got a password check");
    assertEquals(n - PER_ACCOUNT, limited);
    // Locked: even the right password waits; another account is not affected.
    assertError(login(a.email(), a.password(), randomIp()), 429, "RATE_LIMITED");
    Platform.Person b = person();
    p.register(b);
    assertEquals(200, login(b.email(), b.password(), randomIp()).status());
    // The lock ends after its time (2 s); the next failure locks it again for twice as long.
    Thread.sleep(2300);
    assertEquals(200, login(a.phone(), a.password(), randomIp()).status(), "same account by another identifier");
  }

  @Test
  void theLockGrowsWithEachLockOut() throws Exception {
    Platform.Person c = person();
    p.register(c);
    for (int i = 0; i < PER_ACCOUNT; i++) {
      assertError(login(c.login(), "nope", randomIp()), 401, "UNAUTHORIZED");
    }
    Http.Response first = login(c.login(), "nope", randomIp());
    assertError(first, 429, "RATE_LIMITED");
    assertEquals("2", first.headers().firstValue("Retry-After").orElseThrow());
    Thread.sleep(2300);
    for (int i = 0; i < PER_ACCOUNT; i++) {
      assertError(login(c.login(), "nope", randomIp()), 401, "UNAUTHORIZED");
    }
    Http.Response second = login(c.login(), "nope", randomIp());
    assertError(second, 429, "RATE_LIMITED");
    assertEquals("4", second.headers().firstValue("Retry-After").orElseThrow(), "doubled");
  }

  @Test
  void onePerIpLimitCoversManyAccountsAndUnknownIdentifiersCountToo() {
    String ip = randomIp();
    for (int i = 0; i < PER_IP; i++) {
      assertError(login("nobody-" + UUID.randomUUID() + "@example.com", "x", ip), 401, "UNAUTHORIZED");
    }
    assertError(login("nobody-" + UUID.randomUUID() + "@example.com", "x", ip), 429, "RATE_LIMITED");
    // The same people from another IP (behind the trusted gateway, X-Forwarded-For) are fine.
    Platform.Person d = person();
    p.register(d);
    assertError(login(d.email(), d.password(), ip), 429, "RATE_LIMITED");
    assertEquals(200, login(d.email(), d.password(), randomIp()).status());
  }

  @Test
  void signUpsArePerIpLimited() {
    String ip = randomIp();
    for (int i = 0; i < 3; i++) {
      assertEquals(201, p.post("/auth/register", person().registration(), null, ip).status());
    }
    Http.Response limited = p.post("/auth/register", person().registration(), null, ip);
    assertError(limited, 429, "RATE_LIMITED");
    assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    assertEquals(201, p.post("/auth/register", person().registration(), null, randomIp()).status());
  }

  @Test
  void aSuccessForgivesTheAccountsEarlierFailures() {
    Platform.Person e = person();
    p.register(e);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < PER_ACCOUNT - 1; i++) {
        assertError(login(e.email(), "nope", randomIp()), 401, "UNAUTHORIZED");
      }
      assertEquals(200, login(e.email(), e.password(), randomIp()).status(), "round " + round);
    }
  }
}

package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failed logins per client IP, per account and client, and per account: increment-first, so a parallel burst is cut
 * at exactly a limit. A locked client IP is told (429 + Retry-After); a locked account never is: it answers exactly
 * like a wrong password, without its password being checked, so no answer tells which identifiers share an account.
 */
class LoginLimitIT extends PlatformIT {
  static final int PER_CLIENT = 5;
  static final int PER_ACCOUNT = 12;
  static final int PER_IP = 16;

  @Override
  protected Map<String, String> settings() {
    return Map.of("LOGIN_MAX_FAILURES", Integer.toString(PER_CLIENT), "LOGIN_MAX_FAILURES_PER_ACCOUNT",
      Integer.toString(PER_ACCOUNT), "LOGIN_MAX_FAILURES_PER_IP", Integer.toString(PER_IP), "LOGIN_LOCKOUT_SECONDS", "2",
      "REGISTER_MAX_PER_IP", "3",
      // A locked account's attempt costs a hash too: let the 50-attempt burst queue rather than be shed (429).
      "PASSWORD_HASH_MAX_PENDING", "64");
  }

  Http.Response login(String identifier, String password, String ip) {
    return p.post("/auth/login", new JsonObject().put("identifier", identifier).put("password", password), null, ip);
  }

  /** Logins answered as a wrong password because the account was locked (the password was not checked). */
  double locked() {
    return p.auth.context().registry().get("paysvc_auth_login_locked").counter().count();
  }

  /** argon2id runs: a real check and a locked account's dummy check alike. */
  long hashes() {
    return p.auth.context().registry().get("paysvc_auth_password_hash").timer().count();
  }

  @Test
  void fiveWrongPasswordsOnTheEmailThenThePhoneAnswersLikeAnyWrongPassword() {
    Platform.Person victim = person();
    p.register(victim);
    Platform.Person unrelated = person();
    p.register(unrelated);
    String attacker = randomIp();
    for (int i = 0; i < PER_CLIENT; i++) {
      assertError(login(victim.email(), "guess-" + i, attacker), 401, "UNAUTHORIZED");
    }
    Http.Response onThePhone = login(victim.phone(), "guess-phone", attacker);
    Http.Response elsewhere = login(unrelated.email(), "guess", attacker);
    // The same status, body and headers (but the request id): nothing says the e-mail and the phone are one account.
    assertEquals(elsewhere.status(), onThePhone.status());
    assertEquals(elsewhere.body(), onThePhone.body());
    assertEquals(headers(elsewhere), headers(onThePhone));
    assertFalse(onThePhone.headers().firstValue("Retry-After").isPresent());
    assertError(onThePhone, 401, "UNAUTHORIZED");
    // And the same work: a locked attempt is refused unchecked (counted) yet runs one argon2id, as a real check does.
    double lockedBefore = locked();
    long hashesBefore = hashes();
    assertError(login(victim.phone(), "another-guess", attacker), 401, "UNAUTHORIZED");
    assertEquals(lockedBefore + 1, locked(), "refused as locked");
    assertEquals(hashesBefore + 1, hashes(), "one argon2id run");
    // The lock still stops guessing: the right password from the locked client does not log in.
    assertError(login(victim.phone(), victim.password(), attacker), 401, "UNAUTHORIZED");
    assertError(login(victim.email(), victim.password(), attacker), 401, "UNAUTHORIZED");
    // The attacker locked only itself out: the victim, from its own client, logs in.
    assertEquals(200, login(victim.email(), victim.password(), randomIp()).status());
  }

  @Test
  void aLockedAttemptTakesAboutAsLongAsAPasswordCheck() {
    Platform.Person victim = person();
    p.register(victim);
    Platform.Person unrelated = person();
    p.register(unrelated);
    String attacker = randomIp();
    for (int i = 0; i < PER_CLIENT; i++) {
      assertError(login(victim.email(), "guess-" + i, attacker), 401, "UNAUTHORIZED");
    }
    // Interleaved, so both kinds see the same load: locked attempts, and real checks of a wrong password.
    long[] locked = new long[7];
    long[] checked = new long[7];
    for (int i = 0; i < locked.length; i++) {
      long t0 = System.nanoTime();
      assertError(login(victim.phone(), "guess", attacker), 401, "UNAUTHORIZED");
      locked[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      assertError(login(unrelated.email(), "guess", randomIp()), 401, "UNAUTHORIZED");
      checked[i] = System.nanoTime() - t0;
    }
    java.util.Arrays.sort(locked);
    java.util.Arrays.sort(checked);
    double lockedMs = locked[3] / 1e6;
    double checkedMs = checked[3] / 1e6;
    System.out.printf("login medians: locked %.1f ms, wrong password %.1f ms%n", lockedMs, checkedMs);
    // Without the dummy hash a locked answer took a few milliseconds against tens for a check: half is a wide margin.
    assertTrue(lockedMs >= checkedMs / 2, "locked " + lockedMs + " ms, wrong password " + checkedMs + " ms");
  }

  private static Map<String, List<String>> headers(Http.Response r) {
    Map<String, List<String>> h = new TreeMap<>(r.headers().map());
    h.remove("x-request-id");
    return h;
  }

  @Test
  void aParallelBurstFromManyClientsChecksExactlyTheAccountLimit() throws Exception {
    Platform.Person a = person();
    p.register(a);
    int n = 50;
    double before = locked();
    // Every attempt from its own IP: only the account-wide limit can stop them.
    List<Http.Response> answers = Platform.concurrently(n, n, i -> login(a.email(), "wrong-password", randomIp()));
    for (Http.Response r : answers) {
      assertError(r, 401, "UNAUTHORIZED");
      assertFalse(r.headers().firstValue("Retry-After").isPresent());
    }
    assertEquals(n - PER_ACCOUNT, locked() - before, "exactly the limit got a password check");
    // Another account is not affected.
    Platform.Person b = person();
    p.register(b);
    assertEquals(200, login(b.email(), b.password(), randomIp()).status());
  }

  @Test
  void pastTheAccountLimitTheAccountIsLockedForEveryClient() {
    Platform.Person a = person();
    p.register(a);
    for (int i = 0; i < PER_ACCOUNT; i++) {
      assertError(login(a.email(), "wrong-" + i, randomIp()), 401, "UNAUTHORIZED");
    }
    double before = locked();
    // The right password, each time from a client that never failed: the account is locked (2 s) for everyone.
    assertError(login(a.email(), a.password(), randomIp()), 401, "UNAUTHORIZED");
    assertError(login(a.phone(), a.password(), randomIp()), 401, "UNAUTHORIZED");
    assertEquals(before + 2, locked());
  }

  @Test
  void aParallelBurstFromOneClientChecksExactlyItsLimit() throws Exception {
    Platform.Person a = person();
    p.register(a);
    String ip = randomIp();
    int n = 10;
    double before = locked();
    List<Http.Response> answers = Platform.concurrently(n, n, i -> login(a.login(), "wrong-password", ip));
    answers.forEach(r -> assertError(r, 401, "UNAUTHORIZED"));
    assertEquals(n - PER_CLIENT, locked() - before, "exactly the client's limit got a password check");
  }

  @Test
  void theLockGrowsWithEachLockOutAndEnds() throws Exception {
    Platform.Person c = person();
    p.register(c);
    String ip = randomIp();
    for (int i = 0; i < PER_CLIENT; i++) {
      assertError(login(c.login(), "nope", ip), 401, "UNAUTHORIZED");
    }
    double before = locked();
    // The next attempt crosses the limit and locks the client out of the account for 2 s: even the right password.
    assertError(login(c.login(), c.password(), ip), 401, "UNAUTHORIZED");
    Thread.sleep(2300);
    for (int i = 0; i < PER_CLIENT; i++) {
      assertError(login(c.login(), "nope", ip), 401, "UNAUTHORIZED");
    }
    // The second lock-out within a day is twice as long (4 s): still locked 2.3 s after it began, over after 4.3 s.
    assertError(login(c.login(), c.password(), ip), 401, "UNAUTHORIZED");
    Thread.sleep(2300);
    assertError(login(c.login(), c.password(), ip), 401, "UNAUTHORIZED");
    assertEquals(before + 3, locked(), "three attempts refused as locked");
    Thread.sleep(2000);
    assertEquals(200, login(c.login(), c.password(), ip).status(), "same client, after the lock");
  }

  @Test
  void aLockedClientIpIsToldWithRetryAfterAndItsLockGrows() throws Exception {
    String ip = randomIp();
    // Unknown identifiers count too, each its own account: only the IP's limit applies.
    for (int i = 0; i < PER_IP; i++) {
      assertError(login("nobody-" + UUID.randomUUID() + "@example.com", "x", ip), 401, "UNAUTHORIZED");
    }
    Http.Response first = login("nobody-" + UUID.randomUUID() + "@example.com", "x", ip);
    JsonObject err = assertError(first, 429, "RATE_LIMITED");
    assertEquals("2", first.headers().firstValue("Retry-After").orElseThrow());
    assertEquals(2, err.getJsonObject("details").getLong("retry_after_seconds"));
    // A person behind that IP waits too; from another IP it is fine.
    Platform.Person d = person();
    p.register(d);
    assertError(login(d.email(), d.password(), ip), 429, "RATE_LIMITED");
    assertEquals(200, login(d.email(), d.password(), randomIp()).status());
    Thread.sleep(2300);
    for (int i = 0; i < PER_IP; i++) {
      assertError(login("nobody-" + UUID.randomUUID() + "@example.com", "x", ip), 401, "UNAUTHORIZED");
    }
    Http.Response second = login("nobody-" + UUID.randomUUID() + "@example.com", "x", ip);
    assertError(second, 429, "RATE_LIMITED");
    assertEquals("4", second.headers().firstValue("Retry-After").orElseThrow(), "doubled");
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
  void aSuccessForgivesTheClientsOwnFailuresOnly() {
    Platform.Person e = person();
    p.register(e);
    String own = randomIp();
    // Two rounds: the client's failures still count against its IP (PER_IP), only its own account count is forgiven.
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < PER_CLIENT - 1; i++) {
        assertError(login(e.email(), "nope", own), 401, "UNAUTHORIZED");
      }
      assertEquals(200, login(e.email(), e.password(), own).status(), "round " + round);
    }
    // Failures from other clients stay counted against the account: the owner's success does not reset them.
    for (int i = 0; i < PER_ACCOUNT - 1; i++) {
      assertError(login(e.email(), "nope", randomIp()), 401, "UNAUTHORIZED");
    }
    assertEquals(200, login(e.email(), e.password(), own).status(), "the account-wide limit is not crossed yet");
    double before = locked();
    assertError(login(e.email(), "nope", randomIp()), 401, "UNAUTHORIZED");
    assertEquals(before, locked(), "attempt " + PER_ACCOUNT + " of the window is still checked");
    assertError(login(e.email(), "nope", randomIp()), 401, "UNAUTHORIZED");
    assertEquals(before + 1, locked(), "the next one crosses the account-wide limit: the other clients' failures counted");
  }
}

package com.paysvc.auth.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.paysvc.common.testing.Http;
import com.paysvc.common.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A burst of logins never blocks an event loop: password hashing runs on its own worker pool. Vert.x's blocked-thread
 * checker is made strict (an event-loop task over 30 ms is reported; one argon2id verification takes ~45 ms here),
 * and the test first shows that it does report a task that blocks.
 */
class LoginBurstIT extends PlatformIT {
  ListAppender<ILoggingEvent> warnings;
  Logger checker;

  @Override
  protected Map<String, String> authSettings() {
    return Map.of("EVENT_LOOP_BLOCKED_WARNING_MS", "30");
  }

  @BeforeAll
  void listen() {
    checker = (Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    warnings = new ListAppender<>();
    warnings.start();
    checker.addAppender(warnings);
  }

  @AfterAll
  void stopListening() {
    if (checker != null) {
      checker.detachAppender(warnings);
    }
  }

  @Test
  void aBurstOfLoginsCausesNoBlockedThreadWarning() throws Exception {
    // The detector works: 200 ms of sleep on one of auth's event loops is reported.
    p.auth.context().vertx().runOnContext(v -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(TestStack.eventually(3_000, () -> !warnings.list.isEmpty()), "the blocked-thread checker reports nothing");
    Thread.sleep(300);
    warnings.list.clear();

    List<Platform.Person> people = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Platform.Person person = person();
      p.register(person);
      people.add(person);
    }
    int n = 48;
    long t0 = System.nanoTime();
    // Two of three with the right password; every attempt from its own IP.
    List<Http.Response> answers = Platform.concurrently(n, 16, i -> {
      Platform.Person who = people.get(i % people.size());
      JsonObject body = i % 3 == 2 ? new JsonObject().put("identifier", who.phone()).put("password", "wrong")
        : who.login(who.phone());
      return p.post("/auth/login", body, null, randomIp());
    });
    double seconds = (System.nanoTime() - t0) / 1e9;
    long ok = answers.stream().filter(r -> r.status() == 200).count();
    long wrong = answers.stream().filter(r -> r.status() == 401).count();
    System.out.printf("login burst: %d logins in %.2f s (%.1f/s), %d ok, %d wrong password%n", n, seconds, n / seconds, ok, wrong);
    assertEquals(32, ok, () -> answers.stream().map(Http.Response::body).toList().toString());
    assertEquals(16, wrong);
    Thread.sleep(200);
    assertEquals(List.of(), warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
      "an event loop was blocked during the burst");
  }
}

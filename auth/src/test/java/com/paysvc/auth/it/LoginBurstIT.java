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
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A burst of logins never blocks an event loop: password hashing runs on its own worker pool. Vert.x's blocked-thread
 * checker is made strict (an event-loop task over 30 ms is reported; one argon2id verification takes ~45 ms here),
 * and the test first shows that it does report a task that blocks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginBurstIT {
  Platform p;
  ListAppender<ILoggingEvent> warnings;
  Logger checker;

  @BeforeAll
  void start() {
    p = Platform.start(Map.of("EVENT_LOOP_BLOCKED_WARNING_MS", "30"));
    checker = (Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    warnings = new ListAppender<>();
    warnings.start();
    checker.addAppender(warnings);
  }

  @AfterAll
  void stop() {
    if (checker != null) {
      checker.detachAppender(warnings);
    }
    if (p != null) {
      p.close();
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
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Http.Response>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Platform.Person who = people.get(i % people.size());
        // Two of three with the right password; every attempt from its own IP.
        JsonObject body = i % 3 == 2 ? new JsonObject().put("identifier", who.phone()).put("password", "wrong")
          : who.login(who.phone());
        String ip = randomIp();
        calls.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return p.post("/auth/login", body, null, ip);
        }, pool));
      }
      long t0 = System.nanoTime();
      go.countDown();
      int ok = 0;
      int wrong = 0;
      for (CompletableFuture<Http.Response> f : calls) {
        Http.Response r = f.get();
        if (r.status() == 200) {
          ok++;
        } else {
          assertEquals(401, r.status(), r.body());
          wrong++;
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("login burst: %d logins in %.2f s (%.1f/s), %d ok, %d wrong password%n", n, seconds, n / seconds, ok, wrong);
      assertEquals(32, ok);
      assertEquals(16, wrong);
    } finally {
      pool.shutdownNow();
    }
    Thread.sleep(200);
    assertEquals(List.of(), warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
      "an event loop was blocked during the burst");
  }
}

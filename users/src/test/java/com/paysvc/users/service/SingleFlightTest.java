package com.paysvc.users.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleFlightTest {

  @Test
  void concurrentMissesOfOneKeyLoadOnce() {
    SingleFlight<String> flights = new SingleFlight<>();
    AtomicInteger loads = new AtomicInteger();
    Promise<String> db = Promise.promise();
    Future<String> first = flights.load("user:1", () -> {
      loads.incrementAndGet();
      return db.future();
    });
    Future<String> second = flights.load("user:1", () -> {
      loads.incrementAndGet();
      return Future.succeededFuture("other");
    });
    Future<String> otherKey = flights.load("user:2", () -> {
      loads.incrementAndGet();
      return Future.succeededFuture("two");
    });
    assertSame(first, second);
    assertEquals(2, loads.get());
    assertEquals("two", otherKey.result());
    db.complete("one");
    assertEquals("one", second.result());
    assertEquals(0, flights.inFlight());

    // Once finished, the next miss loads again.
    flights.load("user:1", () -> {
      loads.incrementAndGet();
      return Future.succeededFuture("again");
    });
    assertEquals(3, loads.get());
  }

  @Test
  void aLoadStartedBeforeAWriteIsNotSharedAfterIt() {
    SingleFlight<String> flights = new SingleFlight<>();
    Promise<String> stale = Promise.promise();
    Future<String> before = flights.load("k", stale::future);
    flights.written();
    Future<String> after = flights.load("k", () -> Future.succeededFuture("fresh"));
    assertEquals("fresh", after.result());
    stale.complete("old");
    assertEquals("old", before.result());
    assertEquals(0, flights.inFlight());
  }

  @Test
  void aFailedLoadFailsItsWaitersAndIsForgotten() {
    SingleFlight<String> flights = new SingleFlight<>();
    Promise<String> db = Promise.promise();
    Future<String> a = flights.load("k", db::future);
    Future<String> b = flights.load("k", () -> Future.succeededFuture("unused"));
    db.fail("replica down");
    assertTrue(a.failed());
    assertTrue(b.failed());
    assertEquals("ok", flights.load("k", () -> Future.succeededFuture("ok")).result());
    assertEquals("thrown", flights.load("t", () -> {
      throw new IllegalStateException("thrown");
    }).cause().getMessage());
  }
}

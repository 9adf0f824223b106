package com.paysvc.common.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceTokenTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final List<Promise<ServiceToken.Grant>> fetches = new ArrayList<>();
  final ServiceToken token = new ServiceToken(() -> {
    Promise<ServiceToken.Grant> p = Promise.promise();
    fetches.add(p);
    return p.future();
  }, now::get);

  @Test
  void oneFetchServesEveryoneUntilRenewalIsDueThenRenewsInTheBackground() {
    Future<String> a = token.get();
    Future<String> b = token.get();
    assertEquals(1, fetches.size(), "concurrent callers share one fetch");
    fetches.get(0).complete(new ServiceToken.Grant("t1", 100));
    assertEquals("t1", a.result());
    assertEquals("t1", b.result());
    now.addAndGet(79_000);
    assertEquals("t1", token.get().result());
    assertEquals(1, fetches.size(), "not due before 80 % of the lifetime");
    now.addAndGet(2_000);
    assertEquals("t1", token.get().result(), "the still valid token is handed out while renewing");
    assertEquals(2, fetches.size());
    fetches.get(1).complete(new ServiceToken.Grant("t2", 100));
    assertEquals("t2", token.get().result());
  }

  @Test
  void anAlmostExpiredTokenIsNotHandedOutAndFailuresAreNotRetriedInATightLoop() {
    token.get();
    fetches.get(0).complete(new ServiceToken.Grant("t1", 30));
    now.addAndGet(21_000); // 9 s left: within the 10 s margin
    Future<String> waiting = token.get();
    assertTrue(!waiting.isComplete());
    fetches.get(1).fail("auth down");
    assertTrue(waiting.failed());
    assertTrue(token.get().failed(), "fails fast right after a failure");
    assertEquals(2, fetches.size());
    now.addAndGet(1_001);
    token.get();
    assertEquals(3, fetches.size(), "tried again after a second");
  }

  @Test
  void aRefusedTokenIsForgotten() {
    token.get();
    fetches.get(0).complete(new ServiceToken.Grant("t1", 100));
    token.invalidate("other");
    assertEquals("t1", token.get().result());
    token.invalidate("t1");
    token.get();
    assertEquals(2, fetches.size());
  }
}

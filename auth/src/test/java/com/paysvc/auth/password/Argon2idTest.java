package com.paysvc.auth.password;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Argon2idTest {
  /**
   * Made by the reference implementation (Debian's argon2 CLI, libargon2):
   * {@code echo -n 'correct horse battery staple' | argon2 'paysvc-salt-0001' -id -t 2 -k 19456 -p 1 -l 32 -e}
   */
  static final String REFERENCE = "$argon2id$v=19$m=19456,t=2,p=1$cGF5c3ZjLXNhbHQtMDAwMQ$GkVY4ucMIxZZ1Ccux44qtRWScQ8IbnGjYLVLeTBYmtI";

  @Test
  void refusesToRunOnAnEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Argon2id.Params weak = new Argon2id.Params(1024, 1, 1);
      CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        try {
          Argon2id.hash("pw", weak);
          onLoop.complete(null);
        } catch (IllegalStateException e) {
          onLoop.complete(e);
        }
      });
      assertTrue(onLoop.get(10, TimeUnit.SECONDS) instanceof IllegalStateException, "hashing on an event loop is refused");
      String onWorker = vertx.executeBlocking(() -> Argon2id.hash("pw", weak)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
      assertTrue(Argon2id.verify(Argon2id.parse(onWorker), "pw"), "a worker thread may hash");
    } finally {
      vertx.close();
    }
  }

  @Test
  void verifiesAHashOfTheReferenceImplementation() {
    Argon2id.Stored stored = Argon2id.parse(REFERENCE);
    assertEquals(Argon2id.OWASP, stored.params());
    assertTrue(Argon2id.verify(stored, "correct horse battery staple"));
    assertFalse(Argon2id.verify(stored, "correct horse battery stapl"));
  }

  @Test
  void hashesCarryTheirParametersAndASaltOfTheirOwn() {
    Argon2id.Params weak = new Argon2id.Params(1024, 1, 1);
    String a = Argon2id.hash("pässwörd", weak);
    String b = Argon2id.hash("pässwörd", weak);
    assertTrue(a.startsWith("$argon2id$v=19$m=1024,t=1,p=1$"), a);
    assertNotEquals(a, b, "random salt");
    assertEquals(weak, Argon2id.parse(a).params());
    assertTrue(Argon2id.verify(Argon2id.parse(a), "pässwörd"));
    assertFalse(Argon2id.verify(Argon2id.parse(a), "passwörd"));
  }

  @Test
  void refusesWhatIsNotABoundedArgon2idHash() {
    for (String bad : new String[] {null, "", "plain", "$argon2i$v=19$m=19456,t=2,p=1$cGF5c3ZjLXNhbHQtMDAwMQ$GkVY4ucMIxZZ1Ccux44qtRWScQ8IbnGjYLVLeTBYmtI",
      "$argon2id$v=16$m=19456,t=2,p=1$cGF5c3ZjLXNhbHQtMDAwMQ$GkVY4ucMIxZZ1Ccux44qtRWScQ8IbnGjYLVLeTBYmtI",
      "$argon2id$v=19$m=99999999,t=2,p=1$cGF5c3ZjLXNhbHQtMDAwMQ$GkVY4ucMIxZZ1Ccux44qtRWScQ8IbnGjYLVLeTBYmtI",
      "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}) {
      assertThrows(IllegalArgumentException.class, () -> Argon2id.parse(bad), String.valueOf(bad));
    }
  }
}

package com.paysvc.common.security;

import com.paysvc.testing.TestTokens;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-set cache behind {@link JwtGuard}: a snapshot's identity is what keeps remembered verifications valid,
 * so it must change exactly when the keys change, and a key set past its max age must be fetched again.
 */
class JwksTest {
  private final Vertx vertx = Vertx.vertx();
  private TestTokens tokens;

  @BeforeEach
  void start() throws Exception {
    tokens = await(TestTokens.start(vertx));
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private Jwks jwks(long maxAgeMs) {
    return new Jwks(vertx, tokens.env().get("JWKS_URL"), TestTokens.ISSUER, TestTokens.AUDIENCE, 0, maxAgeMs);
  }

  @Test
  void aRefetchOfTheSameKeysKeepsTheSnapshotAndNewKeysReplaceIt() throws Exception {
    Jwks jwks = jwks(60_000);
    Jwks.Snapshot first = await(jwks.forKid(tokens.kid()));
    assertEquals(1, tokens.jwksRequests());
    // An unknown kid (garbage or a rotation not yet published) re-fetches an unchanged set.
    Jwks.Snapshot again = await(jwks.forKid("no-such-kid"));
    assertEquals(2, tokens.jwksRequests());
    assertSame(first, again);

    tokens.rotate();
    Jwks.Snapshot rotated = await(jwks.forKid(tokens.kid()));
    assertNotSame(first, rotated);
    assertTrue(rotated.kids().contains(tokens.kid()));
    assertEquals(2, rotated.kids().size());
    assertSame(rotated, jwks.currentIfFresh());
  }

  @Test
  void aKeySetOlderThanTheMaxAgeIsFetchedAgainBeforeUse() throws Exception {
    Jwks jwks = jwks(300);
    Jwks.Snapshot first = await(jwks.fresh());
    assertSame(first, await(jwks.fresh()));
    assertEquals(1, tokens.jwksRequests());

    Thread.sleep(400);
    assertNull(jwks.currentIfFresh());
    assertSame(first, await(jwks.fresh()));
    assertEquals(2, tokens.jwksRequests());
    assertSame(first, jwks.currentIfFresh());

    // The keys changed while the set aged: the re-fetch gives a new snapshot.
    tokens.rotate();
    tokens.dropRetired();
    Thread.sleep(400);
    Jwks.Snapshot replaced = await(jwks.fresh());
    assertNotSame(first, replaced);
    assertEquals(java.util.Set.of(tokens.kid()), replaced.kids());
  }
}

package com.paysvc.common.security;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The algorithm allow-list is enforced on the JOSE header before any key is looked up. */
class JwtGuardHeaderTest {

  private static String token(JsonObject header) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString("{\"sub\":\"x\"}".getBytes(StandardCharsets.UTF_8)) + ".c2ln";
  }

  @Test
  void acceptsOnlyEs256WithAKeyId() {
    assertEquals("k1", JwtGuard.es256Kid(token(new JsonObject().put("alg", "ES256").put("kid", "k1"))));
    for (String alg : new String[] {"none", "None", "HS256", "RS256", "ES384", "es256"}) {
      assertThrows(IllegalArgumentException.class,
        () -> JwtGuard.es256Kid(token(new JsonObject().put("alg", alg).put("kid", "k1"))), alg);
    }
    assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(token(new JsonObject().put("alg", "ES256"))));
    assertThrows(IllegalArgumentException.class,
      () -> JwtGuard.es256Kid(token(new JsonObject().put("alg", "ES256").put("kid", 7))));
  }

  @Test
  void rejectsMalformedTokens() {
    for (String t : new String[] {"", "abc", "abc.def", "!!!.e30.x", "e30.e30.x"}) {
      assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(t), t);
    }
  }

  @Test
  void tokensFromTheTestIssuerPassTheHeaderCheck() {
    assertEquals("kid-a", JwtGuard.es256Kid(TestTokens.signWith(TestTokens.newKeyPair(), "kid-a", new JsonObject().put("sub", "s"))));
  }
}

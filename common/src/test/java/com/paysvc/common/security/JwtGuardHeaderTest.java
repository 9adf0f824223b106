package com.paysvc.common.security;

import com.paysvc.testing.TestKeys;
import com.paysvc.testing.TestTokens;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The algorithm allow-list and the access-token type are enforced on the JOSE header before any key is looked up. */
class JwtGuardHeaderTest {

  private static String token(JsonObject header) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString("{\"sub\":\"x\"}".getBytes(StandardCharsets.UTF_8)) + ".c2ln";
  }

  private static JsonObject es256(String kid) {
    return new JsonObject().put("alg", "ES256").put("typ", "at+jwt").put("kid", kid);
  }

  @Test
  void acceptsOnlyEs256WithAKeyId() {
    assertEquals("k1", JwtGuard.es256Kid(token(es256("k1"))));
    for (String alg : new String[] {"none", "None", "HS256", "RS256", "ES384", "es256"}) {
      assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(token(es256("k1").put("alg", alg))), alg);
    }
    assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(token(es256("k1").put("kid", null))));
    assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(token(es256("k1").put("kid", 7))));
  }

  @Test
  void acceptsOnlyTheAccessTokenType() {
    // RFC 9068 §4: at+jwt, also spelled with the media-type prefix; the comparison ignores case.
    for (String typ : new String[] {"at+jwt", "AT+JWT", "application/at+jwt"}) {
      assertEquals("k1", JwtGuard.es256Kid(token(es256("k1").put("typ", typ))), typ);
    }
    for (Object typ : new Object[] {"JWT", "jwt", "id+jwt", "", 1}) {
      assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(token(es256("k1").put("typ", typ))), String.valueOf(typ));
    }
    assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(token(es256("k1").put("typ", null))));
  }

  @Test
  void rejectsMalformedTokens() {
    for (String t : new String[] {"", "abc", "abc.def", "!!!.e30.x", "e30.e30.x"}) {
      assertThrows(IllegalArgumentException.class, () -> JwtGuard.es256Kid(t), t);
    }
  }

  @Test
  void tokensFromTheTestIssuerPassTheHeaderCheck() {
    assertEquals("kid-a", JwtGuard.es256Kid(TestTokens.signWith(TestKeys.p256(), "kid-a", new JsonObject().put("sub", "s"))));
  }
}

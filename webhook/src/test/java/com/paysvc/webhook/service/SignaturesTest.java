package com.paysvc.webhook.service;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SignaturesTest {
  static final String CURRENT = "0123456789abcdef0123456789abcdef";
  static final String PREVIOUS = "fedcba9876543210fedcba9876543210";
  static final Clock AT = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
  final Signatures signatures = new Signatures(CURRENT, PREVIOUS, 300, AT);
  final byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

  @Test
  void theSchemeIsHexHmacSha256OfTimestampDotBody() {
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
    assertEquals("f05f2539e3ae1c49aec5f8cfdad75ef6b06480b133973ffbb7ec9e18827af177",
      Signatures.sign(CURRENT, "1700000000", body));
  }

  @Test
  void bothSecretsOfARotationVerifyAndAreTold() {
    assertEquals("current", signatures.verify("1700000000", Signatures.sign(CURRENT, "1700000000", body), Buffer.buffer(body)));
    assertEquals("previous", signatures.verify("1700000000", Signatures.sign(PREVIOUS, "1700000000", body), Buffer.buffer(body)));
    assertEquals("current", signatures.verify("1700000000", Signatures.sign(CURRENT, "1700000000", body).toUpperCase(),
      Buffer.buffer(body)), "hex in either case");
  }

  @Test
  void theWindowIs300SecondsEitherWay() {
    for (long ts : new long[] {1_700_000_000L - 300, 1_700_000_000L + 300}) {
      String t = Long.toString(ts);
      assertEquals("current", signatures.verify(t, Signatures.sign(CURRENT, t, body), Buffer.buffer(body)));
    }
    assertEquals(Signatures.Refusal.STALE_TIMESTAMP, refusal("1699999699", Signatures.sign(CURRENT, "1699999699", body)));
    assertEquals(Signatures.Refusal.FUTURE_TIMESTAMP, refusal("1700000301", Signatures.sign(CURRENT, "1700000301", body)));
  }

  @Test
  void refusals() {
    String good = Signatures.sign(CURRENT, "1700000000", body);
    assertEquals(Signatures.Refusal.MISSING_HEADERS, refusal(null, good));
    assertEquals(Signatures.Refusal.MISSING_HEADERS, refusal("1700000000", " "));
    assertEquals(Signatures.Refusal.BAD_TIMESTAMP, refusal("-1", good));
    assertEquals(Signatures.Refusal.BAD_TIMESTAMP, refusal("17e8", good));
    assertEquals(Signatures.Refusal.BAD_TIMESTAMP, refusal("1".repeat(13), good));
    assertEquals(Signatures.Refusal.BAD_SIGNATURE, refusal("1700000000", "xyz"));
    assertEquals(Signatures.Refusal.BAD_SIGNATURE, refusal("1700000000", good.substring(2)));
    assertEquals(Signatures.Refusal.BAD_SIGNATURE, refusal("1700000000", Signatures.sign("another-secret-0123456789abcdefghij",
      "1700000000", body)));
  }

  private Signatures.Refusal refusal(String ts, String sig) {
    return assertThrows(Signatures.Refused.class, () -> signatures.verify(ts, sig, Buffer.buffer(body))).reason();
  }
}

package com.paysvc.auth.service;

import com.paysvc.common.security.JwtGuard;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.UUID;

/**
 * Mints ES256 access tokens with the JDK's ECDSA (tens of microseconds: fine on the event loop). The JDK
 * produces an ASN.1 DER signature; JWS wants the raw 64-byte R||S form (RFC 7518 §3.4), converted here.
 */
public final class TokenIssuer {
  /** A minted token and its lifetime in seconds. */
  public record Issued(String token, String jti, long issuedAt, long expiresIn) {
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SigningKeys keys;
  private final String issuer;
  private final String audience;
  private final long ttlSeconds;
  private final Clock clock;
  private final String header;

  public TokenIssuer(SigningKeys keys, String issuer, String audience, long ttlSeconds, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.audience = audience;
    this.ttlSeconds = ttlSeconds;
    this.clock = clock;
    this.header = b64(new JsonObject().put("alg", "ES256").put("typ", JwtGuard.ACCESS_TOKEN_TYPE).put("kid", keys.kid()).encode());
  }

  /** A token for {@code subject} with {@code roles}; {@code extra} claims are added first (standard ones win). */
  public Issued issue(String subject, JsonArray roles, JsonObject extra) {
    return issueAt(subject, roles, extra, clock.instant().getEpochSecond());
  }

  /**
   * Like {@link #issue(String, JsonArray, JsonObject)} with a given {@code iat} (epoch seconds): a person's token takes
   * the database's second of the session step that authorised it, kept after the user's not-before time (see
   * {@code AuthStore.iat}); at most a second or two ahead of this clock, within every verifier's leeway.
   */
  public Issued issueAt(String subject, JsonArray roles, JsonObject extra, long now) {
    String jti = UUID.randomUUID().toString();
    JsonObject claims = (extra == null ? new JsonObject() : extra.copy())
      .put("sub", subject)
      .put("roles", roles)
      .put("jti", jti)
      .put("iat", now)
      .put("exp", now + ttlSeconds)
      .put("iss", issuer)
      .put("aud", audience);
    String signingInput = header + "." + b64(claims.encode());
    return new Issued(signingInput + "." + B64.encodeToString(sign(signingInput)), jti, now, ttlSeconds);
  }

  private byte[] sign(String signingInput) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(keys.signingKey());
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return derToJose(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  /** DER {@code SEQUENCE { INTEGER r, INTEGER s }} to 32-byte big-endian r followed by 32-byte s. */
  static byte[] derToJose(byte[] der) {
    int offset = 2;
    if ((der[1] & 0x80) != 0) {
      offset += der[1] & 0x7f; // long-form length (not produced for P-256, handled anyway)
    }
    byte[] out = new byte[64];
    for (int part = 0; part < 2; part++) {
      if (der[offset] != 0x02) {
        throw new IllegalStateException("unexpected ECDSA signature encoding");
      }
      int len = der[offset + 1];
      int start = offset + 2;
      // INTEGERs carry a leading 0x00 when the high bit is set, and may be shorter than 32 bytes.
      int skip = Math.max(0, len - 32);
      int copy = len - skip;
      System.arraycopy(der, start + skip, out, part * 32 + (32 - copy), copy);
      offset = start + len;
    }
    return out;
  }

  public String issuer() {
    return issuer;
  }

  public long ttlSeconds() {
    return ttlSeconds;
  }

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}

package com.paysvc.auth.service;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opaque refresh tokens: 256 random bits, base64url (43 characters). The database keeps only their SHA-256.
 *
 * <p>The token that replaces a presented one is not random but {@code HMAC-SHA256(REFRESH_TOKEN_SECRET, parent)}:
 * presenting the same parent again (a lost response, two tabs, within the grace window) yields the very same child
 * without the child ever being stored, and nobody without the server key can compute a child from a stolen parent.
 */
public final class RefreshTokens {
  private static final int BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  public RefreshTokens(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** A presented or new token: its raw bytes, text form and storage hash. */
  public record Token(byte[] raw, String text, byte[] hash) {
  }

  public Token fresh() {
    byte[] raw = new byte[BYTES];
    RANDOM.nextBytes(raw);
    return of(raw);
  }

  /** The token a client presented, or null when it cannot be one of ours (wrong length or alphabet). */
  public static Token parse(String text) {
    if (text == null || text.length() != 43) {
      return null;
    }
    byte[] raw;
    try {
      raw = B64D.decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return raw.length == BYTES ? of(raw) : null;
  }

  /** The deterministic successor of {@code parent}. */
  public Token child(Token parent) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return of(mac.doFinal(parent.raw()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Token of(byte[] raw) {
    try {
      return new Token(raw, B64.encodeToString(raw), MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

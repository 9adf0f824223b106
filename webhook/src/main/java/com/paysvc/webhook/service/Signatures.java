package com.paysvc.webhook.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.buffer.Buffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

/**
 * 2can's signature: {@code X-Signature: hex(HMAC-SHA256(secret, X-Timestamp + "." + raw body))}, {@code X-Timestamp}
 * in Unix seconds. Checked over the raw bytes as received (never a re-serialised body), in constant time, against
 * the current secret and, during a rotation, the previous one. A timestamp further than the tolerance from now, in
 * either direction, is refused before any MAC is computed: a captured notification cannot be replayed later.
 */
public final class Signatures {
  /** Why a notification was refused before it was read. */
  public enum Refusal { MISSING_HEADERS, BAD_TIMESTAMP, STALE_TIMESTAMP, FUTURE_TIMESTAMP, BAD_SIGNATURE }

  /** A refusal: 401 UNAUTHORIZED for the client, its reason for the metrics. */
  public static final class Refused extends RuntimeException {
    private final Refusal reason;

    Refused(Refusal reason) {
      super(reason.name(), null, false, false);
      this.reason = reason;
    }

    public Refusal reason() {
      return reason;
    }

    public ApiException toApi() {
      return switch (reason) {
        case MISSING_HEADERS -> new ApiException(ErrorCode.UNAUTHORIZED, "X-Timestamp and X-Signature are required");
        case BAD_TIMESTAMP -> new ApiException(ErrorCode.UNAUTHORIZED, "X-Timestamp must be Unix seconds");
        case STALE_TIMESTAMP, FUTURE_TIMESTAMP -> new ApiException(ErrorCode.UNAUTHORIZED,
          "X-Timestamp is outside the accepted window (replay protection)");
        case BAD_SIGNATURE -> new ApiException(ErrorCode.UNAUTHORIZED, "signature does not match");
      };
    }
  }

  private record Secret(String label, SecretKeySpec key) {
  }

  private final List<Secret> secrets;
  private final long toleranceSeconds;
  private final Clock clock;

  public Signatures(String current, String previous, long toleranceSeconds, Clock clock) {
    this.secrets = previous == null || previous.isEmpty()
      ? List.of(new Secret("current", key(current)))
      : List.of(new Secret("current", key(current)), new Secret("previous", key(previous)));
    this.toleranceSeconds = toleranceSeconds;
    this.clock = clock;
    // The first Mac of a JVM initialises the JCE providers (tens of ms): at start, not on an event loop's request.
    mac(secrets.get(0).key(), "0", Buffer.buffer());
  }

  /** The label ({@code current} / {@code previous}) of the secret that signed {@code body}; throws {@link Refused}. */
  public String verify(String timestamp, String signature, Buffer body) {
    if (timestamp == null || signature == null || timestamp.isBlank() || signature.isBlank()) {
      throw new Refused(Refusal.MISSING_HEADERS);
    }
    String ts = timestamp.trim();
    long at;
    try {
      if (ts.length() > 12 || !ts.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new NumberFormatException();
      }
      at = Long.parseLong(ts);
    } catch (NumberFormatException e) {
      throw new Refused(Refusal.BAD_TIMESTAMP);
    }
    long now = clock.instant().getEpochSecond();
    if (at < now - toleranceSeconds) {
      throw new Refused(Refusal.STALE_TIMESTAMP);
    }
    if (at > now + toleranceSeconds) {
      throw new Refused(Refusal.FUTURE_TIMESTAMP);
    }
    byte[] presented;
    try {
      presented = HexFormat.of().parseHex(signature.trim().toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Refused(Refusal.BAD_SIGNATURE);
    }
    String matched = null;
    // Every secret is tried (no early exit): the time does not tell which one matched.
    for (Secret s : secrets) {
      if (MessageDigest.isEqual(mac(s.key(), ts, body), presented) && matched == null) {
        matched = s.label();
      }
    }
    if (matched == null) {
      throw new Refused(Refusal.BAD_SIGNATURE);
    }
    return matched;
  }

  /** The hex signature of {@code body} at {@code timestamp} (the signing helper, and tests). */
  public static String sign(String secret, String timestamp, byte[] body) {
    return HexFormat.of().formatHex(mac(key(secret), timestamp, Buffer.buffer(body)));
  }

  private static byte[] mac(SecretKeySpec key, String timestamp, Buffer body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) '.');
      mac.update(body.getBytes());
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SecretKeySpec key(String secret) {
    return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }
}

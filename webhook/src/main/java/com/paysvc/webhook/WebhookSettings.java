package com.paysvc.webhook;

import com.paysvc.common.client.PeerSettings;
import com.paysvc.common.config.Setting;
import com.paysvc.common.security.GuardSettings;

import java.util.ArrayList;
import java.util.List;

/** webhook's own settings. The HMAC secrets come only from the environment and are never echoed. */
public final class WebhookSettings {
  private WebhookSettings() {
  }

  static final int MIN_SECRET = 32;

  private static String secretOfLength(String v) {
    if (v.length() < MIN_SECRET) {
      throw new IllegalArgumentException("must be at least " + MIN_SECRET + " characters");
    }
    return v;
  }

  public static final Setting<String> HMAC_SECRET = new Setting<>("WEBHOOK_HMAC_SECRET",
    "secret shared with 2can: notifications are signed hex(HMAC-SHA256(secret, X-Timestamp + \".\" + body))", null, true,
    WebhookSettings::secretOfLength);
  public static final Setting<String> HMAC_PREVIOUS_SECRET = new Setting<>("WEBHOOK_HMAC_PREVIOUS_SECRET",
    "the secret before the current one, still accepted during a rotation (empty: none)", "", true,
    v -> v.isEmpty() ? v : secretOfLength(v));
  public static final Setting<Integer> TOLERANCE_SECONDS = Setting.integer("WEBHOOK_TOLERANCE_SECONDS", 300, 1, 3600,
    "X-Timestamp may be this far from now, in the past or the future (replay window)");
  public static final Setting<Integer> MAX_BODY_BYTES = Setting.integer("WEBHOOK_MAX_BODY_BYTES", 64 * 1024, 256,
    1024 * 1024, "largest notification body accepted");
  public static final Setting<String> SERVICE_CLIENT_ID = Setting.string("SERVICE_CLIENT_ID", "webhook",
    "webhook's client id at auth (its token for looking payers up in users)");
  public static final Setting<Integer> PAYER_CACHE_SECONDS = Setting.integer("PAYER_CACHE_SECONDS", 600, 0, 86400,
    "a payer phone resolved to a user this long ago is used as is; older ones are resolved again");
  public static final Setting<Integer> RESOLVER_INTERVAL_MS = Setting.integer("RESOLVER_INTERVAL_MS", 1000, 50, 600_000,
    "how often payers waiting for resolution are looked for (the resolver is also woken after each notification)");
  public static final Setting<Integer> PAYER_WAIT_MAX_SECONDS = Setting.integer("PAYER_WAIT_MAX_SECONDS", 600, 5, 86400,
    "an event that waited this long for its payer's user id is published without it (payer_unresolved: true)");
  public static final Setting<Integer> RESOLVER_MAX_DELAY_SECONDS = Setting.integer("RESOLVER_MAX_DELAY_SECONDS", 60, 1,
    3600, "longest back-off between two attempts to resolve a payer while users cannot be asked");

  public static List<Setting<?>> all() {
    List<Setting<?>> all = new ArrayList<>(List.of(HMAC_SECRET, HMAC_PREVIOUS_SECRET, TOLERANCE_SECONDS, MAX_BODY_BYTES,
      SERVICE_CLIENT_ID, PeerSettings.SERVICE_CLIENT_SECRET, PeerSettings.AUTH_URL, PeerSettings.USERS_URL,
      PeerSettings.USERS_TIMEOUT_MS, PAYER_CACHE_SECONDS, PAYER_WAIT_MAX_SECONDS, RESOLVER_INTERVAL_MS,
      RESOLVER_MAX_DELAY_SECONDS));
    // Admin routes verify access tokens like every service.
    all.addAll(GuardSettings.all());
    return List.copyOf(all);
  }
}

package com.paysvc.common.client;

import com.paysvc.common.config.Setting;

/** Where the other services are and how this one authenticates to them; a service declares what it uses. */
public final class PeerSettings {
  private PeerSettings() {
  }

  public static final Setting<String> AUTH_URL = Setting.url("AUTH_URL", "http://127.0.0.1:8001",
    "base URL of auth (client-credentials grant for this service's own token)");
  public static final Setting<String> USERS_URL = Setting.url("USERS_URL", "http://127.0.0.1:8002",
    "base URL of users (accounts API)");
  public static final Setting<String> SERVICE_CLIENT_SECRET = Setting.secret("SERVICE_CLIENT_SECRET",
    "this service's client secret for auth's client-credentials grant");
  public static final Setting<Integer> USERS_TIMEOUT_MS = Setting.integer("USERS_TIMEOUT_MS", 2000, 50, 60_000,
    "timeout of one call to users");
}

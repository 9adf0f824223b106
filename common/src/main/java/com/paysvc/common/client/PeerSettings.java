package com.paysvc.common.client;

import com.paysvc.common.config.Setting;
import com.paysvc.common.config.Topology;

import java.util.List;

/** Where the other services are and how this one authenticates to them; a service declares what it uses. */
public final class PeerSettings {
  private PeerSettings() {
  }

  public static final Setting<String> AUTH_URL = Setting.url("AUTH_URL",
    "http://127.0.0.1:" + Topology.service("auth").port(),
    "base URL of auth (client-credentials grant for this service's own token)");
  public static final Setting<String> USERS_URL = Setting.url("USERS_URL",
    "http://127.0.0.1:" + Topology.service("users").port(),
    "base URL of users (accounts API)");
  public static final Setting<String> SERVICE_CLIENT_SECRET = Setting.secret("SERVICE_CLIENT_SECRET",
    "this service's client secret for auth's client-credentials grant");
  public static final Setting<Integer> USERS_TIMEOUT_MS = Setting.integer("USERS_TIMEOUT_MS", 2000, 50, 60_000,
    "timeout of one call to users");

  /** Every peer setting (a service declares those it uses; Config's check of undeclared variables knows them all). */
  public static List<Setting<?>> all() {
    return List.of(AUTH_URL, USERS_URL, SERVICE_CLIENT_SECRET, USERS_TIMEOUT_MS);
  }
}

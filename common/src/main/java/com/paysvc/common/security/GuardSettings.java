package com.paysvc.common.security;

import com.paysvc.common.config.Setting;
import com.paysvc.common.config.Topology;

import java.util.List;

/** Settings of the JWT guard; a service that uses the guard adds {@link #all()} to its extra settings. */
public final class GuardSettings {
  private GuardSettings() {
  }

  private static final Topology.Service AUTH = Topology.service("auth");

  public static final Setting<String> JWKS_URL = Setting.url("JWKS_URL",
    "http://127.0.0.1:" + AUTH.port() + AUTH.prefix() + "/.well-known/jwks.json",
    "auth's JWKS document (public keys that sign access tokens)");
  public static final Setting<String> JWT_ISSUER = Setting.string("JWT_ISSUER", "paysvc-auth", "required iss claim of access tokens");
  public static final Setting<String> JWT_AUDIENCE = Setting.string("JWT_AUDIENCE", "paysvc", "required aud claim of access tokens");
  public static final Setting<Integer> JWKS_REFRESH_MIN_SECONDS = Setting.integer("JWKS_REFRESH_MIN_SECONDS", 10, 0, 3600,
    "an unknown kid re-fetches the JWKS at most once per this many seconds");
  public static final Setting<Integer> JWKS_MAX_AGE_SECONDS = Setting.integer("JWKS_MAX_AGE_SECONDS", 600, 10, 86400,
    "the cached JWKS is re-fetched after this many seconds");
  public static final Setting<Integer> AUTH_REDIS_DB = Setting.integer("AUTH_REDIS_DB", AUTH.redisDb(), 0, 15,
    "Redis logical database of auth's deny-list and per-user not-before times");

  // The security state's Redis (AOF, noeviction), never the users cache's: a cache filled to its maxmemory evicts, and
  // an evicted deny-list entry would let a logged-out token back in.
  public static final Setting<String> AUTH_REDIS_HOST = new Setting<>("AUTH_REDIS_HOST",
    "Redis host of auth's security state: deny-list, not-before times, revocation channel (empty: REDIS_HOST)", "", false,
    String::trim);
  public static final Setting<Integer> AUTH_REDIS_PORT = Setting.port("AUTH_REDIS_PORT", Topology.integer("REDIS_PORT"),
    "Redis port of auth's security state");

  public static List<Setting<?>> all() {
    return List.of(JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, JWKS_REFRESH_MIN_SECONDS, JWKS_MAX_AGE_SECONDS, AUTH_REDIS_DB,
      AUTH_REDIS_HOST, AUTH_REDIS_PORT);
  }
}

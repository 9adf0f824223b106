package com.paysvc.auth;

import com.paysvc.auth.http.ClientIp;
import com.paysvc.auth.password.Argon2id;
import com.paysvc.auth.service.EcKeys;
import com.paysvc.auth.service.ServiceClients;
import com.paysvc.auth.service.SigningKeys;
import com.paysvc.common.client.PeerSettings;
import com.paysvc.common.config.Setting;
import com.paysvc.common.security.GuardSettings;

import java.util.List;

/**
 * auth's own settings. Keys and client secrets come only from the environment (SPEC §7) and are parsed while
 * the configuration is validated, so a bad key is a named config error at start (exit 2), never echoed.
 */
public final class AuthSettings {
  private AuthSettings() {
  }

  public static final Setting<EcKeys.KeyPairP256> JWT_SIGNING_KEY = new Setting<>("JWT_SIGNING_KEY",
    "PKCS#8 EC P-256 private key that signs access tokens: PEM, or one-line base64 of the PEM or DER",
    null, true, EcKeys::privateKey);
  public static final Setting<String> JWT_KEY_ID = new Setting<>("JWT_KEY_ID",
    "kid of JWT_SIGNING_KEY (empty: a thumbprint of its public key)", "", false, String::trim);
  public static final Setting<List<SigningKeys.PublishedKey>> JWT_PREVIOUS_PUBLIC_KEYS = new Setting<>(
    "JWT_PREVIOUS_PUBLIC_KEYS",
    "comma-separated one-line base64 SPKI public keys ([kid:]key) of earlier signing keys, still published in the JWKS during a rotation",
    "", false, SigningKeys::parsePrevious);
  public static final Setting<ServiceClients> SERVICE_CLIENTS = new Setting<>("SERVICE_CLIENTS",
    "service clients of the client-credentials grant: comma-separated client_id:secret:scope scope… (secrets of at "
      + "least 32 characters, without ':')", null, true, ServiceClients::parse);
  public static final Setting<String> SERVICE_CLIENT_ID = Setting.string("SERVICE_CLIENT_ID", "auth",
    "auth's own client id in SERVICE_CLIENTS (its token for calls to users)");
  public static final Setting<String> REFRESH_TOKEN_SECRET = new Setting<>("REFRESH_TOKEN_SECRET",
    "key (at least 32 characters) that derives a refresh token's successor from it (HMAC-SHA256)", null, true,
    v -> {
      if (v.length() < 32) {
        throw new IllegalArgumentException("must be at least 32 characters");
      }
      return v;
    });
  public static final Setting<Integer> REFRESH_TOKEN_TTL_SECONDS = Setting.integer("REFRESH_TOKEN_TTL_SECONDS", 30 * 86400,
    60, 365 * 86400, "lifetime of a refresh token (each rotation starts a new one, within the session's maximum age)");
  public static final Setting<Integer> SESSION_MAX_AGE_SECONDS = Setting.integer("SESSION_MAX_AGE_SECONDS", 90 * 86400,
    60, 3650 * 86400, "a session (refresh-token family) ends this long after its login, however often it refreshed");
  public static final Setting<Integer> REFRESH_REUSE_GRACE_SECONDS = Setting.integer("REFRESH_REUSE_GRACE_SECONDS", 10,
    0, 300, "the immediate predecessor of the live refresh token may be presented again this long after it was rotated");
  public static final Setting<Integer> REGISTER_MAX_PER_IP = Setting.integer("REGISTER_MAX_PER_IP", 20, 1, 1_000_000,
    "sign-ups per client IP and window before 429 (each costs a password hash)");
  public static final Setting<Integer> REGISTER_WINDOW_SECONDS = Setting.integer("REGISTER_WINDOW_SECONDS", 3600, 1, 86400,
    "window of REGISTER_MAX_PER_IP");
  // 64 KiB: users' profile bound (a few KiB of stored JSON) with room for escaped text, plus identifiers and password.
  public static final Setting<Integer> REGISTER_BODY_MAX_BYTES = Setting.integer("REGISTER_BODY_MAX_BYTES", 64 * 1024,
    1024, 16 * 1024 * 1024, "largest /auth/register body (bytes; 413 beyond, before it is read): keep it above users' "
      + "profile bound, which decides what a profile may be");
  public static final Setting<Integer> REGISTRATION_SWEEP_SECONDS = Setting.integer("REGISTRATION_SWEEP_SECONDS", 30, 1,
    3600, "how often unfinished sign-ups (auth died between its two steps, or their undo failed) are looked for");
  // At least several users timeouts: a sign-up still in flight must never be taken for a dead one.
  public static final Setting<Integer> REGISTRATION_STALE_SECONDS = Setting.integer("REGISTRATION_STALE_SECONDS", 120, 30,
    86400, "a sign-up still unfinished after this long is undone");
  public static final Setting<Integer> LOGIN_MAX_FAILURES = Setting.integer("LOGIN_MAX_FAILURES", 5, 1, 1000,
    "password attempts on one account from one client (IP, or IPv6 /64) per window before that client is locked out of "
      + "that account (answered as a wrong password)");
  // 20: four clients' worth of LOGIN_MAX_FAILURES. Locking a victim out everywhere takes four client addresses, and a
  // distributed guesser gets 20 guesses a window, each lock-out doubling.
  public static final Setting<Integer> LOGIN_MAX_FAILURES_PER_ACCOUNT = Setting.integer("LOGIN_MAX_FAILURES_PER_ACCOUNT",
    20, 1, 100000, "password attempts on one account from all clients together per window before the account is locked "
      + "for everyone (answered as a wrong password); keep it at or above LOGIN_MAX_FAILURES");
  public static final Setting<Integer> LOGIN_MAX_FAILURES_PER_IP = Setting.integer("LOGIN_MAX_FAILURES_PER_IP", 50, 1, 100000,
    "password attempts per client IP and window before it is locked (429)");
  public static final Setting<Integer> LOGIN_FAILURE_WINDOW_SECONDS = Setting.integer("LOGIN_FAILURE_WINDOW_SECONDS", 900,
    1, 86400, "window in which attempts are counted");
  public static final Setting<Integer> LOGIN_LOCKOUT_SECONDS = Setting.integer("LOGIN_LOCKOUT_SECONDS", 60, 1, 86400,
    "first lock-out; each further one within a day doubles it");
  public static final Setting<Integer> LOGIN_LOCKOUT_MAX_SECONDS = Setting.integer("LOGIN_LOCKOUT_MAX_SECONDS", 3600, 1,
    7 * 86400, "longest lock-out");
  public static final Setting<List<ClientIp.Cidr>> TRUSTED_PROXIES = new Setting<>("TRUSTED_PROXIES",
    "the gateway's addresses (comma-separated CIDRs): only from these is X-Forwarded-For believed, and only its rightmost "
      + "hop (the address the gateway wrote); natively loopback, where HAProxy runs; in compose the gateway container's "
      + "fixed address", "127.0.0.0/8,::1/128",
    false, ClientIp::parse);
  public static final Setting<Integer> PASSWORD_HASH_MEMORY_KIB = Setting.integer("PASSWORD_HASH_MEMORY_KIB",
    Argon2id.OWASP.memoryKib(), 8, 1024 * 1024, "argon2id memory (KiB) of new hashes (OWASP minimum 19456)");
  public static final Setting<Integer> PASSWORD_HASH_ITERATIONS = Setting.integer("PASSWORD_HASH_ITERATIONS",
    Argon2id.OWASP.iterations(), 1, 64, "argon2id passes of new hashes (OWASP minimum 2 at 19 MiB)");
  public static final Setting<Integer> PASSWORD_HASH_PARALLELISM = Setting.integer("PASSWORD_HASH_PARALLELISM",
    Argon2id.OWASP.parallelism(), 1, 16, "argon2id lanes of new hashes");
  // argon2id is pure CPU: one thread per core uses every core; more only add memory and latency.
  public static final Setting<Integer> PASSWORD_HASH_THREADS = Setting.integer("PASSWORD_HASH_THREADS",
    Runtime.getRuntime().availableProcessors(), 1, 256, "worker threads that hash and verify passwords");
  // 8 per thread: ~8 hash times (~0.4 s here) of queueing at most; beyond that a login is shed (429) at once.
  public static final Setting<Integer> PASSWORD_HASH_MAX_PENDING = Setting.integer("PASSWORD_HASH_MAX_PENDING",
    8 * Runtime.getRuntime().availableProcessors(), 1, 100000, "password operations running or waiting before 429");
  public static final Setting<Integer> ACCESS_TOKEN_TTL_SECONDS = Setting.integer("ACCESS_TOKEN_TTL_SECONDS", 900, 30, 86400,
    "lifetime of access tokens");
  public static final Setting<Integer> TOKEN_MAX_FAILURES = Setting.integer("TOKEN_MAX_FAILURES", 10, 1, 100000,
    "failed client-credentials attempts per client IP and window before 429");
  public static final Setting<Integer> TOKEN_FAILURE_WINDOW_SECONDS = Setting.integer("TOKEN_FAILURE_WINDOW_SECONDS", 60, 1, 86400,
    "window of TOKEN_MAX_FAILURES");

  public static List<Setting<?>> all() {
    // iss/aud are the guard's settings (same names and defaults): issuer and verifiers read one definition.
    return List.of(JWT_SIGNING_KEY, JWT_KEY_ID, JWT_PREVIOUS_PUBLIC_KEYS, GuardSettings.JWT_ISSUER,
      GuardSettings.JWT_AUDIENCE, ACCESS_TOKEN_TTL_SECONDS, SERVICE_CLIENTS, SERVICE_CLIENT_ID,
      PeerSettings.SERVICE_CLIENT_SECRET, PeerSettings.USERS_URL, PeerSettings.USERS_TIMEOUT_MS, TOKEN_MAX_FAILURES,
      TOKEN_FAILURE_WINDOW_SECONDS, REFRESH_TOKEN_SECRET, REFRESH_TOKEN_TTL_SECONDS, SESSION_MAX_AGE_SECONDS,
      REFRESH_REUSE_GRACE_SECONDS, REGISTER_MAX_PER_IP, REGISTER_WINDOW_SECONDS, REGISTER_BODY_MAX_BYTES, REGISTRATION_SWEEP_SECONDS, REGISTRATION_STALE_SECONDS, LOGIN_MAX_FAILURES, LOGIN_MAX_FAILURES_PER_ACCOUNT, LOGIN_MAX_FAILURES_PER_IP, LOGIN_FAILURE_WINDOW_SECONDS,
      LOGIN_LOCKOUT_SECONDS, LOGIN_LOCKOUT_MAX_SECONDS, TRUSTED_PROXIES, PASSWORD_HASH_MEMORY_KIB,
      PASSWORD_HASH_ITERATIONS, PASSWORD_HASH_PARALLELISM, PASSWORD_HASH_THREADS, PASSWORD_HASH_MAX_PENDING);
  }
}

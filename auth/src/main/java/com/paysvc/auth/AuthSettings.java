package com.paysvc.auth;

import com.paysvc.auth.service.EcKeys;
import com.paysvc.auth.service.ServiceClients;
import com.paysvc.auth.service.SigningKeys;
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
    "service clients of the client-credentials grant: comma-separated client_id:secret", null, true,
    ServiceClients::parse);
  public static final Setting<Integer> ACCESS_TOKEN_TTL_SECONDS = Setting.integer("ACCESS_TOKEN_TTL_SECONDS", 900, 30, 86400,
    "lifetime of access tokens");
  public static final Setting<Integer> TOKEN_MAX_FAILURES = Setting.integer("TOKEN_MAX_FAILURES", 10, 1, 100000,
    "failed client-credentials attempts per client IP and window before 429");
  public static final Setting<Integer> TOKEN_FAILURE_WINDOW_SECONDS = Setting.integer("TOKEN_FAILURE_WINDOW_SECONDS", 60, 1, 86400,
    "window of TOKEN_MAX_FAILURES");

  public static List<Setting<?>> all() {
    // iss/aud are the guard's settings (same names and defaults): issuer and verifiers read one definition.
    return List.of(JWT_SIGNING_KEY, JWT_KEY_ID, JWT_PREVIOUS_PUBLIC_KEYS, GuardSettings.JWT_ISSUER,
      GuardSettings.JWT_AUDIENCE, ACCESS_TOKEN_TTL_SECONDS, SERVICE_CLIENTS, TOKEN_MAX_FAILURES,
      TOKEN_FAILURE_WINDOW_SECONDS);
  }
}

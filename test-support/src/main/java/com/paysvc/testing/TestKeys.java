package com.paysvc.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.UUID;

/** EC key pairs and their PEM texts, in the forms auth's settings take them. */
public final class TestKeys {
  private TestKeys() {
  }

  /** A P-256 (secp256r1) key pair: what ES256 signs with. */
  public static KeyPair p256() {
    return ec("secp256r1");
  }

  /** An EC key pair on {@code curve} (e.g. secp384r1: a key ES256 must refuse). */
  public static KeyPair ec(String curve) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec(curve));
      return gen.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM of {@code der} with {@code type} (e.g. {@code PRIVATE KEY}: PKCS#8, {@code PUBLIC KEY}: X.509), lines of 64. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
      .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** {@code text} as one line of base64 (how bin/stack stores a PEM in an environment variable). */
  public static String oneLine(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A random secret: {@code prefix} and 44 random characters (longer than any minimum of our settings). */
  public static String secret(String prefix) {
    return prefix + UUID.randomUUID() + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {@code JWT_SIGNING_KEY} for auth: the PKCS#8 PEM of {@code keys}' private key, as one line of base64. */
  public static String signingKeySetting(KeyPair keys) {
    return oneLine(pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }
}

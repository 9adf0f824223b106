package com.paysvc.auth.service;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Parsing of EC P-256 keys as they arrive from the environment, with the JDK only. Every failure is an
 * IllegalArgumentException whose message never contains the key material (it ends up in a start-up error).
 */
public final class EcKeys {
  private EcKeys() {
  }

  private static final ECParameterSpec P256 = p256();

  /** A private key together with its public half (needed for the JWKS and the kid). */
  public record KeyPairP256(ECPrivateKey privateKey, ECPublicKey publicKey) {
  }

  /**
   * A PKCS#8 EC P-256 private key given as PEM, as one-line base64 of that PEM (fits an env file) or as base64
   * of the DER. SEC1 ({@code BEGIN EC PRIVATE KEY}) is refused with a hint: vertx and the JDK want PKCS#8.
   */
  public static KeyPairP256 privateKey(String value) {
    byte[] der = der(value, "PRIVATE KEY");
    ECPrivateKey key;
    try {
      if (!(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)) instanceof ECPrivateKey k)) {
        throw new IllegalArgumentException("is not an EC private key");
      }
      key = k;
    } catch (GeneralSecurityException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("is ")) {
        throw iae;
      }
      throw new IllegalArgumentException("is not a PKCS#8 EC private key (generate one with: "
        + "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)");
    }
    requireP256(key.getParams());
    ECPublicKey pub = publicFromPoint(multiply(P256.getGenerator(), key.getS()));
    // Sanity check that the derived public key matches: a signature made now must verify with it.
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      byte[] probe = "paysvc-key-check".getBytes(StandardCharsets.US_ASCII);
      s.update(probe);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(probe);
      if (!s.verify(sig)) {
        throw new IllegalArgumentException("is not a usable EC P-256 key");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a usable EC P-256 key");
    }
    return new KeyPairP256(key, pub);
  }

  /** An SPKI ({@code BEGIN PUBLIC KEY}) EC P-256 public key as PEM, base64 of the PEM or base64 of the DER. */
  public static ECPublicKey publicKey(String value) {
    byte[] der = der(value, "PUBLIC KEY");
    ECPublicKey key;
    try {
      if (!(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der)) instanceof ECPublicKey k)) {
        throw new IllegalArgumentException("is not an EC public key");
      }
      key = k;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("is not an SPKI EC public key (openssl pkey -pubout)");
    }
    requireP256(key.getParams());
    return key;
  }

  /** The default kid: base64url of the first 12 bytes of SHA-256 over the SPKI, stable for a given key. */
  public static String thumbprint(ECPublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The 32-byte big-endian form of a coordinate, as JWK x/y want it (RFC 7518 §6.2.1.2). */
  public static String coordinate(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  private static byte[] der(String value, String pemType) {
    String v = value.trim();
    if (!v.startsWith("-----")) {
      // One-line base64: either of the PEM text (what bin/stack stores) or directly of the DER.
      byte[] decoded;
      try {
        decoded = Base64.getMimeDecoder().decode(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("is neither PEM nor base64");
      }
      String text = new String(decoded, StandardCharsets.US_ASCII);
      if (!text.trim().startsWith("-----")) {
        if (decoded.length == 0) {
          throw new IllegalArgumentException("is neither PEM nor base64");
        }
        return decoded;
      }
      v = text.trim();
    }
    String begin = "-----BEGIN " + pemType + "-----";
    String end = "-----END " + pemType + "-----";
    int b = v.indexOf(begin);
    int e = v.indexOf(end);
    if (b < 0 || e < b) {
      if (v.contains("BEGIN EC PRIVATE KEY")) {
        throw new IllegalArgumentException("is a SEC1 key; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt");
      }
      throw new IllegalArgumentException("is not a PEM '" + pemType + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(v.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("has a PEM body that is not base64");
    }
  }

  private static void requireP256(ECParameterSpec spec) {
    if (spec == null || !spec.getCurve().equals(P256.getCurve()) || !spec.getOrder().equals(P256.getOrder())
      || !spec.getGenerator().equals(P256.getGenerator())) {
      throw new IllegalArgumentException("is not on curve P-256 (ES256 needs P-256)");
    }
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      return params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks secp256r1", e);
    }
  }

  private static ECPublicKey publicFromPoint(ECPoint point) {
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, P256));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a usable EC P-256 key");
    }
  }

  /*
   * The JDK has no public API to get the public point of a private key, and a PKCS#8 key need not carry it.
   * d·G by double-and-add in affine coordinates: a few milliseconds, once at start-up, on public data plus the
   * secret scalar (timing side channels do not matter here: nobody can observe the start-up).
   */
  static ECPoint multiply(ECPoint g, BigInteger d) {
    ECPoint r = ECPoint.POINT_INFINITY;
    for (int i = d.bitLength() - 1; i >= 0; i--) {
      r = add(r, r);
      if (d.testBit(i)) {
        r = add(r, g);
      }
    }
    return r;
  }

  private static ECPoint add(ECPoint p1, ECPoint p2) {
    if (p1.equals(ECPoint.POINT_INFINITY)) {
      return p2;
    }
    if (p2.equals(ECPoint.POINT_INFINITY)) {
      return p1;
    }
    BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
    BigInteger x1 = p1.getAffineX();
    BigInteger y1 = p1.getAffineY();
    BigInteger x2 = p2.getAffineX();
    BigInteger y2 = p2.getAffineY();
    BigInteger lambda;
    if (x1.equals(x2)) {
      if (!y1.equals(y2) || y1.signum() == 0) {
        return ECPoint.POINT_INFINITY;
      }
      BigInteger a = P256.getCurve().getA();
      lambda = x1.pow(2).multiply(BigInteger.valueOf(3)).add(a).multiply(y1.shiftLeft(1).modInverse(p)).mod(p);
    } else {
      lambda = y2.subtract(y1).multiply(x2.subtract(x1).modInverse(p)).mod(p);
    }
    BigInteger x3 = lambda.pow(2).subtract(x1).subtract(x2).mod(p);
    BigInteger y3 = lambda.multiply(x1.subtract(x3)).subtract(y1).mod(p);
    return new ECPoint(x3, y3);
  }
}

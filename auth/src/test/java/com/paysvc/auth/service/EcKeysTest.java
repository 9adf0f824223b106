package com.paysvc.auth.service;

import com.paysvc.testing.TestKeys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EcKeysTest {

  @Test
  void acceptsPemBase64OfPemAndBase64OfDer_andDerivesThePublicKey() throws Exception {
    KeyPair kp = TestKeys.p256();
    String pem = TestKeys.pem("PRIVATE KEY", kp.getPrivate().getEncoded());
    for (String form : new String[] {pem, TestKeys.oneLine(pem), Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded())}) {
      EcKeys.KeyPairP256 parsed = EcKeys.privateKey(form);
      assertEquals(kp.getPublic(), parsed.publicKey());
    }
    String spki = Base64.getEncoder().encodeToString(kp.getPublic().getEncoded());
    assertEquals(kp.getPublic(), EcKeys.publicKey(spki));
    assertEquals(kp.getPublic(), EcKeys.publicKey(TestKeys.oneLine(TestKeys.pem("PUBLIC KEY", kp.getPublic().getEncoded()))));
  }

  @Test
  void opensslGeneratedKeyParses() throws Exception {
    Path file = Files.createTempFile("p256", ".pem");
    try {
      Process p;
      try {
        p = new ProcessBuilder("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-out", file.toString()).redirectErrorStream(true).start();
      } catch (java.io.IOException e) {
        Assumptions.abort("openssl not installed");
        return;
      }
      assertTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0);
      String pem = Files.readString(file);
      assertTrue(pem.contains("BEGIN PRIVATE KEY"), "openssl genpkey writes PKCS#8");
      EcKeys.KeyPairP256 parsed = EcKeys.privateKey(TestKeys.oneLine(pem));
      assertEquals(43, EcKeys.coordinate(parsed.publicKey().getW().getAffineX()).length());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void refusesOtherCurvesSec1AndGarbage_withoutEchoingTheValue() throws Exception {
    KeyPair p384 = TestKeys.ec("secp384r1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> EcKeys.privateKey(TestKeys.pem("PRIVATE KEY", p384.getPrivate().getEncoded())));
    assertTrue(e.getMessage().contains("P-256"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
      () -> EcKeys.privateKey("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n"));
    assertTrue(e.getMessage().contains("PKCS#8"), e.getMessage());
    String garbage = "c2VjcmV0LWJ1dC1ub3QtYS1rZXk=";
    e = assertThrows(IllegalArgumentException.class, () -> EcKeys.privateKey(garbage));
    assertTrue(!e.getMessage().contains(garbage));
    assertThrows(IllegalArgumentException.class, () -> EcKeys.privateKey("not base64 at all!"));
    assertThrows(IllegalArgumentException.class, () -> EcKeys.publicKey(Base64.getEncoder().encodeToString(p384.getPublic().getEncoded())));
  }

  @Test
  void joseSignatureIs64BytesAndVerifiesAfterConversionBack() throws Exception {
    KeyPair kp = TestKeys.p256();
    for (int i = 0; i < 200; i++) {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(kp.getPrivate());
      byte[] data = ("m" + i).getBytes(StandardCharsets.US_ASCII);
      s.update(data);
      byte[] jose = TokenIssuer.derToJose(s.sign());
      assertEquals(64, jose.length);
      // The JDK's P1363 variant takes R||S directly: verifies the conversion (leading zeros, short integers).
      Signature v = Signature.getInstance("SHA256withECDSAinP1363Format");
      v.initVerify(kp.getPublic());
      v.update(data);
      assertTrue(v.verify(jose));
    }
  }

  @Test
  void thumbprintIsStableAndUrlSafe() throws Exception {
    KeyPair kp = TestKeys.p256();
    String kid = EcKeys.thumbprint((java.security.interfaces.ECPublicKey) kp.getPublic());
    assertEquals(kid, EcKeys.thumbprint((java.security.interfaces.ECPublicKey) kp.getPublic()));
    assertTrue(kid.matches("[A-Za-z0-9_-]{16}"), kid);
  }
}

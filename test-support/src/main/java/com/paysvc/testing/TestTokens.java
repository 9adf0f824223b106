package com.paysvc.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for auth in tests: its own EC P-256 key, a JWKS served over HTTP on an ephemeral port, and tokens
 * signed with java.security (so tests can also build forgeries: alg none, HS256, wrong kid).
 */
public final class TestTokens {
  /** The JOSE {@code typ} of an access token (RFC 9068), as auth signs it and JwtGuard requires it. */
  public static final String ACCESS_TOKEN_TYPE = "at+jwt";
  public static final String ISSUER = "test-auth";
  public static final String AUDIENCE = "paysvc-test";

  private volatile KeyPair keys;
  private volatile String kid;
  private volatile JsonObject retiredJwk;
  private final HttpServer server;
  private final AtomicInteger jwksRequests = new AtomicInteger();

  private TestTokens(KeyPair keys, String kid, HttpServer server) {
    this.keys = keys;
    this.kid = kid;
    this.server = server;
  }

  public static Future<TestTokens> start(Vertx vertx) {
    KeyPair keys = TestKeys.p256();
    String kid = "test-" + UUID.randomUUID().toString().substring(0, 8);
    TestTokens[] self = new TestTokens[1];
    return vertx.createHttpServer()
      .requestHandler(req -> {
        self[0].jwksRequests.incrementAndGet();
        req.response().putHeader("Content-Type", "application/json").end(self[0].jwks().encode());
      })
      .listen(0, "127.0.0.1")
      .map(server -> self[0] = new TestTokens(keys, kid, server));
  }

  /** Environment for a service under test: JWKS URL, issuer and audience of these tokens. */
  public Map<String, String> env() {
    return Map.of("JWKS_URL", "http://127.0.0.1:" + server.actualPort() + "/jwks.json",
      "JWT_ISSUER", ISSUER, "JWT_AUDIENCE", AUDIENCE, "JWKS_REFRESH_MIN_SECONDS", "0");
  }

  /** The kid of the current signing key. */
  public String kid() {
    return kid;
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  /** The JWKS served: the current key, plus the previous one after {@link #rotate()} (as auth does). */
  public JsonObject jwks() {
    JsonArray keys = new JsonArray().add(jwk(this.keys, kid));
    if (retiredJwk != null) {
      keys.add(retiredJwk);
    }
    return new JsonObject().put("keys", keys);
  }

  /** Key rotation: a new signing key with a new kid; the old one stays published. */
  public synchronized void rotate() {
    retiredJwk = jwk(keys, kid);
    keys = TestKeys.p256();
    kid = "test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The retired key leaves the JWKS (its tokens must stop verifying once the key set is re-fetched). */
  public synchronized void dropRetired() {
    retiredJwk = null;
  }

  private static JsonObject jwk(KeyPair pair, String kid) {
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    return new JsonObject()
      .put("kty", "EC").put("crv", "P-256").put("use", "sig").put("alg", "ES256").put("kid", kid)
      .put("x", b64(unsigned32(pub.getW().getAffineX())))
      .put("y", b64(unsigned32(pub.getW().getAffineY())));
  }

  /** Standard claims for {@code sub} with {@code roles}, valid for 5 minutes. */
  public JsonObject claims(String sub, List<String> roles) {
    return claims(ISSUER, AUDIENCE, sub, roles);
  }

  /** Standard claims of an access token by {@code issuer} for {@code audience}: {@code sub} with {@code roles}, valid 5 minutes. */
  public static JsonObject claims(String issuer, String audience, String sub, List<String> roles) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("jti", UUID.randomUUID().toString()).put("iat", now)
      .put("exp", now + 300).put("iss", issuer).put("aud", audience).put("roles", new JsonArray(roles));
  }

  public String token(String sub, String... roles) {
    return sign(claims(sub, List.of(roles)));
  }

  public String admin() {
    return token(UUID.randomUUID().toString(), "admin");
  }

  public String sign(JsonObject claims) {
    return signWith(keys, kid, claims);
  }

  /** A service client's token ({@code roles: [service]}) granted {@code scopes}. */
  public String service(String clientId, String... scopes) {
    return sign(claims("client:" + clientId, List.of("service")).put("client_id", clientId)
      .put("scope", String.join(" ", scopes)));
  }

  /** ES256 with any key and kid (a key the JWKS does not list makes a forgery); typ {@code at+jwt}. */
  public static String signWith(KeyPair keys, String kid, JsonObject claims) {
    return signWith(keys, kid, claims, ACCESS_TOKEN_TYPE);
  }

  /** ES256 with any key, kid and JOSE {@code typ} (another typ than at+jwt makes a token the guard refuses). */
  public static String signWith(KeyPair keys, String kid, JsonObject claims, String typ) {
    String input = b64(new JsonObject().put("alg", "ES256").put("typ", typ).put("kid", kid).encode().getBytes(StandardCharsets.UTF_8))
      + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(keys.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none}: claims without a signature. */
  public String unsigned(JsonObject claims) {
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT").put("kid", kid).encode().getBytes(StandardCharsets.UTF_8))
      + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /** HS256 keyed with the public JWK's text: the classic algorithm-confusion forgery. */
  public String hs256(JsonObject claims) {
    String input = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", kid).encode().getBytes(StandardCharsets.UTF_8))
      + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(jwks().encode().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Future<Void> close() {
    return server.close();
  }

  private static byte[] unsigned32(BigInteger v) {
    byte[] raw = v.toByteArray();
    if (raw.length == 32) {
      return raw;
    }
    byte[] out = new byte[32];
    if (raw.length > 32) {
      System.arraycopy(raw, raw.length - 32, out, 0, 32);
    } else {
      System.arraycopy(raw, 0, out, 32 - raw.length, raw.length);
    }
    return out;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

}

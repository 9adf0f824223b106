package com.paysvc.auth.service;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The key that signs access tokens now, and the public keys of earlier signing keys that the JWKS still
 * publishes during a rotation (so their tokens keep verifying until they expire). Immutable; the JWKS document
 * is serialised once here because it cannot change while the process runs.
 */
public final class SigningKeys {
  /** A public key published in the JWKS under its kid. */
  public record PublishedKey(String kid, ECPublicKey key) {
  }

  private final ECPrivateKey signingKey;
  private final String kid;
  private final List<PublishedKey> published;
  private final Buffer jwks;

  public SigningKeys(EcKeys.KeyPairP256 current, String kid, List<PublishedKey> previous) {
    this.signingKey = current.privateKey();
    this.kid = kid == null || kid.isBlank() ? EcKeys.thumbprint(current.publicKey()) : kid.trim();
    List<PublishedKey> all = new ArrayList<>();
    all.add(new PublishedKey(this.kid, current.publicKey()));
    Set<String> kids = new HashSet<>(Set.of(this.kid));
    for (PublishedKey p : previous) {
      if (p.key().equals(current.publicKey())) {
        continue; // the current key listed again as "previous": publish it once
      }
      if (!kids.add(p.kid())) {
        throw new IllegalArgumentException("two published keys share the kid " + p.kid());
      }
      all.add(p);
    }
    this.published = List.copyOf(all);
    this.jwks = toJwks(published).toBuffer();
  }

  public ECPrivateKey signingKey() {
    return signingKey;
  }

  public String kid() {
    return kid;
  }

  public List<PublishedKey> published() {
    return published;
  }

  /** The serialised {@code {"keys":[...]}} document; callers must not modify it. */
  public Buffer jwks() {
    return jwks;
  }

  /**
   * {@code JWT_PREVIOUS_PUBLIC_KEYS}: comma-separated entries, each a one-line base64 SPKI public key, optionally
   * prefixed by {@code kid:} (needed only when that key was published under an explicit JWT_KEY_ID rather than
   * its default thumbprint kid). Base64 has no ':', so the prefix is unambiguous.
   */
  public static List<PublishedKey> parsePrevious(String value) {
    List<PublishedKey> keys = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return keys;
    }
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      String kid = colon > 0 ? entry.substring(0, colon).trim() : null;
      String material = colon > 0 ? entry.substring(colon + 1).trim() : entry;
      ECPublicKey key;
      try {
        key = EcKeys.publicKey(material);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("entry " + (i + 1) + " " + e.getMessage());
      }
      keys.add(new PublishedKey(kid != null && !kid.isEmpty() ? kid : EcKeys.thumbprint(key), key));
    }
    return keys;
  }

  private static JsonObject toJwks(List<PublishedKey> keys) {
    JsonArray array = new JsonArray();
    for (PublishedKey k : keys) {
      array.add(new JsonObject()
        .put("kty", "EC")
        .put("crv", "P-256")
        .put("x", EcKeys.coordinate(k.key().getW().getAffineX()))
        .put("y", EcKeys.coordinate(k.key().getW().getAffineY()))
        .put("kid", k.kid())
        .put("alg", "ES256")
        .put("use", "sig"));
    }
    return new JsonObject().put("keys", array);
  }
}

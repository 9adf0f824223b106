package com.paysvc.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The service clients allowed to use the client-credentials grant, from {@code SERVICE_CLIENTS}
 * ({@code id:secret,id:secret}). Only SHA-256 digests of the secrets are kept; a presented secret is digested and
 * compared with {@link MessageDigest#isEqual} (constant time, equal lengths), and an unknown client id is
 * compared against a dummy digest so both failures cost the same.
 */
public final class ServiceClients {
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final byte[] DUMMY = sha256("paysvc-no-such-client");

  private final Map<String, byte[]> digests;

  private ServiceClients(Map<String, byte[]> digests) {
    this.digests = Map.copyOf(digests);
  }

  /** Parses the setting; messages name the faulty entry by position, never its content (it is a secret). */
  public static ServiceClients parse(String value) {
    Map<String, byte[]> digests = new HashMap<>();
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException("entry " + (i + 1) + " is not client_id:secret");
      }
      String id = entry.substring(0, colon);
      if (!CLIENT_ID.matcher(id).matches()) {
        throw new IllegalArgumentException("entry " + (i + 1) + " has an invalid client id (letters, digits, . _ -)");
      }
      if (digests.put(id, sha256(entry.substring(colon + 1))) != null) {
        throw new IllegalArgumentException("entry " + (i + 1) + " repeats a client id");
      }
    }
    if (digests.isEmpty()) {
      throw new IllegalArgumentException("lists no client");
    }
    return new ServiceClients(digests);
  }

  /** True when {@code clientId} is known and {@code secret} is its secret. */
  public boolean authenticate(String clientId, String secret) {
    byte[] expected = digests.get(clientId);
    boolean match = MessageDigest.isEqual(expected != null ? expected : DUMMY, sha256(secret));
    return expected != null && match;
  }

  public int size() {
    return digests.size();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

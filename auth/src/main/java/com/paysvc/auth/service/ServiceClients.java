package com.paysvc.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The service clients allowed to use the client-credentials grant, from {@code SERVICE_CLIENTS}
 * ({@code id:secret:scope scope,id:secret:scope,…}): each client's token carries exactly the scopes listed for it
 * (least privilege: webhook gets {@code users:lookup} only). Secrets must be at least {@value #MIN_SECRET_LENGTH}
 * characters and contain no ':'. Only SHA-256 digests of the secrets are kept; a presented secret is digested and
 * compared with {@link MessageDigest#isEqual} (constant time, equal lengths), and an unknown client id is compared
 * against a dummy digest so both failures cost the same.
 */
public final class ServiceClients {
  static final int MIN_SECRET_LENGTH = 32;
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern SCOPE = Pattern.compile("[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)*");
  private static final byte[] DUMMY = sha256("paysvc-no-such-client");

  /** A known client and the scopes its tokens carry. */
  public record Client(String id, Set<String> scopes) {
    /** The {@code scope} claim: scopes separated by single spaces (RFC 6749 §3.3). */
    public String scopeClaim() {
      return String.join(" ", scopes);
    }
  }

  private record Entry(Client client, byte[] digest) {
  }

  private final Map<String, Entry> entries;

  private ServiceClients(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  /** Parses the setting; messages name the faulty entry by position, never its content (it holds a secret). */
  public static ServiceClients parse(String value) {
    Map<String, Entry> entries = new HashMap<>();
    String[] list = value.split(",");
    for (int i = 0; i < list.length; i++) {
      String entry = list[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String[] parts = entry.split(":", 3);
      String where = "entry " + (i + 1);
      if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IllegalArgumentException(where + " is not client_id:secret[:scopes]");
      }
      if (!CLIENT_ID.matcher(parts[0]).matches()) {
        throw new IllegalArgumentException(where + " has an invalid client id (letters, digits, . _ -)");
      }
      if (parts[1].length() < MIN_SECRET_LENGTH) {
        throw new IllegalArgumentException(where + " has a secret shorter than " + MIN_SECRET_LENGTH + " characters");
      }
      Set<String> scopes = new LinkedHashSet<>();
      if (parts.length == 3) {
        for (String s : parts[2].trim().split("\\s+")) {
          if (s.isEmpty()) {
            continue;
          }
          if (!SCOPE.matcher(s).matches()) {
            throw new IllegalArgumentException(where + " has an invalid scope (scopes like users:lookup, separated by "
              + "spaces; a secret must not contain ':')");
          }
          scopes.add(s);
        }
      }
      Client client = new Client(parts[0], Set.copyOf(scopes));
      if (entries.put(parts[0], new Entry(client, sha256(parts[1]))) != null) {
        throw new IllegalArgumentException(where + " repeats a client id");
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("lists no client");
    }
    return new ServiceClients(entries);
  }

  /** The client when {@code clientId} is known and {@code secret} is its secret, else null. */
  public Client authenticate(String clientId, String secret) {
    Entry e = clientId == null ? null : entries.get(clientId);
    boolean match = MessageDigest.isEqual(e != null ? e.digest() : DUMMY, sha256(secret == null ? "" : secret));
    return e != null && match ? e.client() : null;
  }

  public int size() {
    return entries.size();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

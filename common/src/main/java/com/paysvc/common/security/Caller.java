package com.paysvc.common.security;

import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/**
 * Who is calling, as the verified access token says: subject, roles (a user's group names, or {@code service} for a
 * service client), the scopes a service client was granted, the token's id, the session (refresh-token family) it
 * belongs to, and its issue and expiry times (epoch seconds). Put on the routing context by {@link JwtGuard}.
 */
public record Caller(String subject, Set<String> roles, Set<String> scopes, String jti, String sessionId,
                     long issuedAt, long expiresAt) {
  static final String KEY = "paysvc.caller";

  public static final String ADMIN = "admin";
  public static final String SERVICE = "service";

  public static Caller of(RoutingContext rc) {
    Caller caller = rc.get(KEY);
    if (caller == null) {
      throw new IllegalStateException("no caller on this route: is the JwtGuard installed?");
    }
    return caller;
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  /** A person in the {@code admin} group: may do everything. */
  public boolean isAdmin() {
    return roles.contains(ADMIN);
  }

  /** A service client (client-credentials grant): may do what its scopes say, nothing else. */
  public boolean isService() {
    return roles.contains(SERVICE);
  }

  /** Admins may do everything; a service client only what {@code scope} grants; a plain user never. */
  public boolean allows(String scope) {
    return isAdmin() || (isService() && scopes.contains(scope));
  }
}

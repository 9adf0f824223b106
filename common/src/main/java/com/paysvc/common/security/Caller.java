package com.paysvc.common.security;

import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/** Who is calling: the verified token's subject and roles. Put on the routing context by {@link JwtGuard}. */
public record Caller(String subject, Set<String> roles, String jti) {
  static final String KEY = "paysvc.caller";

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

  /** Admins and service clients may read and write any record. */
  public boolean privileged() {
    return roles.contains("admin") || roles.contains("service");
  }
}

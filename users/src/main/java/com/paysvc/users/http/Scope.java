package com.paysvc.users.http;

import com.paysvc.common.security.Caller;

/**
 * What a route needs of a service client: each constant names the token scopes that grant it (a broader scope
 * implies the narrower ones: {@code users:read} covers lookups, {@code users:write} covers creation and
 * deactivation). Admins are granted every one; a plain user none (it may still read its own record, see
 * {@link Access}).
 */
enum Scope {
  /** {@code GET /users/by-identifier} only: webhook resolves payers by phone. */
  LOOKUP("users:lookup", "users:read"),
  /** Every user read: lists, details, contacts, memberships, lookups of inactive users. */
  READ("users:read"),
  /** {@code POST /users}. */
  CREATE("users:create", "users:write"),
  /** {@code PATCH /users/{id}} of exactly {@code {"is_active": false}}, {@code DELETE /contacts/{id}}. */
  DEACTIVATE("users:deactivate", "users:write"),
  /** Every other write. */
  WRITE("users:write");

  private final String[] grantedBy;
  /** Built once: the 403 message names what would have been enough. */
  final String refusal;
  /** Who it admits, as the route table names it: {@code "admin or scope users:create/users:write"}. */
  final String who;

  Scope(String... grantedBy) {
    this.grantedBy = grantedBy;
    this.refusal = "requires the admin role or the scope " + String.join(" or ", grantedBy);
    this.who = "admin or scope " + String.join("/", grantedBy);
  }

  /** Admins; service clients whose token carries one of the granting scopes. */
  boolean grants(Caller caller) {
    for (String s : grantedBy) {
      if (caller.allows(s)) {
        return true;
      }
    }
    return false;
  }
}

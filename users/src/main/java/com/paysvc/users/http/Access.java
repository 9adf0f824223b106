package com.paysvc.users.http;

import com.paysvc.common.http.AccessRule;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.security.Caller;
import com.paysvc.users.service.Admins;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.function.Function;

/**
 * Who may call a route (least privilege): an admin everything; a service client exactly what its token's scopes
 * grant ({@link Scope}); a plain user reads only its own record, contacts and memberships (anyone else's → 403,
 * OWASP API1) and writes nothing. Dictionaries are readable by anyone authenticated (no check). Each route states
 * its rule where it is bound ({@link UsersApi}), as one of the rules below.
 */
final class Access {
  private static final String OWN_RECORD_ONLY = "you may only read your own record";
  private static final String ADMIN_NO_MORE = "the admin role of this token was withdrawn: not an active admin any more";
  /** For callers that may read any record: the bytes pass as they are, never parsed. */
  private static final Function<Buffer, Future<Buffer>> ANY_RECORD = AccessRule.ANY_ANSWER;

  /** Any authenticated caller (the guard ran ahead of every route): the dictionaries' reads. */
  static final AccessRule ANY_CALLER = AccessRule.checkedBy("any caller");

  private Access() {
  }

  /** Admins and service clients granted {@code scope}. */
  static AccessRule scope(Scope scope) {
    return AccessRule.of(scope.who, rc -> require(rc, scope));
  }

  /** The scope {@code choice} picks from the request (e.g. from its body), as {@link #scope}. */
  static AccessRule scope(String who, Function<RoutingContext, Scope> choice) {
    return AccessRule.of(who, rc -> require(rc, choice.apply(rc)));
  }

  /** As {@link #scope}, or a plain user for its own record: {@code user} names it from the request. */
  static AccessRule selfOr(Scope scope, Function<RoutingContext, UUID> user) {
    return AccessRule.of(scope.who + ", or the user itself", rc -> requireOrSelf(rc, scope, user.apply(rc)));
  }

  /** As {@link #scope}, or a plain user for a record it owns: {@code ownerField} of the answer names the owner. */
  static AccessRule ownerOr(Scope scope, String ownerField) {
    return AccessRule.onAnswer(scope.who + ", or the owner (" + ownerField + ")",
      rc -> requireOrOwner(rc, scope, ownerField));
  }

  /**
   * Whether the caller may put users into the group admin or take them out (roles come from group names): an admin
   * only, never a service client whatever its scopes. The stored functions that write memberships take this and
   * refuse the admin group without it (403), so bulk items and upload rows naming it fail one by one.
   */
  static boolean mayChangeAdmins(RoutingContext rc) {
    return Caller.of(rc).isAdmin();
  }

  /**
   * A write admitted by the admin role first confirms, on the primary, that the caller is still an active member of
   * the group admin (and an active user): a token keeps the role it was issued with for up to 15 minutes after the
   * membership ended, until auth has ended the user's sessions on {@code user.roles_changed}. Refused: 403, nothing
   * read or written. Service clients are admitted by their scopes and pass without a query; so do other callers, whom
   * no write rule admits. A subject that names no user has no membership to check: auth signs such admin tokens only
   * for its bootstrap-admin command ({@code system:bootstrap-admin}), which must create the first admin while there is
   * none; logins and refreshes issue tokens for user ids only, and only auth's signing key can mint either.
   */
  static Future<Void> confirmAdmin(RoutingContext rc, Admins admins) {
    Caller caller = Caller.of(rc);
    UUID person = caller.isAdmin() ? userId(caller) : null;
    if (person == null) {
      return Future.succeededFuture();
    }
    return admins.isActiveAdmin(person).compose(admin -> admin ? Future.<Void>succeededFuture()
      : Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, ADMIN_NO_MORE)));
  }

  /** The user a token speaks for; null when its subject is no user id (a service client, the bootstrap command). */
  private static UUID userId(Caller caller) {
    try {
      return UUID.fromString(caller.subject());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Naming a group admin (create or rename) would hand its future members the role: an admin only. */
  static void requireAdminToName(RoutingContext rc, String groupName) {
    if (Caller.ADMIN.equals(groupName) && !Caller.of(rc).isAdmin()) {
      throw new ApiException(ErrorCode.FORBIDDEN, "only an admin may name a group admin");
    }
  }

  /** 403 unless the caller is an admin or a service client granted {@code scope}. */
  static void require(RoutingContext rc, Scope scope) {
    if (!scope.grants(Caller.of(rc))) {
      throw new ApiException(ErrorCode.FORBIDDEN, scope.refusal);
    }
  }

  /** For routes naming the user up front (path or query): checked before any data is read. */
  static void requireOrSelf(RoutingContext rc, Scope scope, UUID userId) {
    Caller caller = Caller.of(rc);
    if (scope.grants(caller)) {
      return;
    }
    if (caller.isService()) {
      throw new ApiException(ErrorCode.FORBIDDEN, scope.refusal);
    }
    if (!caller.subject().equalsIgnoreCase(userId.toString())) {
      throw new ApiException(ErrorCode.FORBIDDEN, OWN_RECORD_ONLY);
    }
  }

  /**
   * For reads whose owner is only known from the data ({@code ownerField} of the JSON): the check to apply to the
   * result. Callers granted {@code scope} (the hot path: auth and webhook are service clients) get the bytes
   * without the JSON being parsed; a service client without it is refused here, before anything is read; a plain
   * user gets the record only if it is its own.
   */
  static Function<Buffer, Future<Buffer>> requireOrOwner(RoutingContext rc, Scope scope, String ownerField) {
    Caller caller = Caller.of(rc);
    if (scope.grants(caller)) {
      return ANY_RECORD;
    }
    if (caller.isService()) {
      throw new ApiException(ErrorCode.FORBIDDEN, scope.refusal);
    }
    return body -> caller.subject().equalsIgnoreCase(new JsonObject(body).getString(ownerField))
      ? Future.succeededFuture(body)
      : Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, OWN_RECORD_ONLY));
  }
}

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
 * grant ({@link Scope}); a plain user reads only its own record, contacts and memberships and writes nothing.
 * Dictionaries are readable by anyone authenticated (no check). Each route states its rule where it is bound
 * ({@link UsersApi}), as one of the rules below.
 *
 * <p>A plain user's reads of a record found by a value (a user by identifier, a contact by id) are confined to its
 * own data ({@link #confinedTo}): the route reads only the caller's own record, so someone else's record and no
 * record are one answer, 404, in the same time. Refusing what exists but is someone else's (403) told any signed-in
 * user who exists (issue 27). Routes that name the user up front ({@link #selfOr}) refuse before reading anything,
 * the same for every id, and keep their 403.
 */
final class Access {
  private static final String OWN_RECORD_ONLY = "you may only read your own record";
  private static final String ADMIN_NO_MORE = "the admin role of this token was withdrawn: not an active admin any more";
  /**
   * What a service client granted users:lookup and not users:read gets of a record: its id and is_active (webhook
   * resolves a payer to an id; auth, which reads contacts and groups, holds users:read). The record is parsed for it,
   * at webhook's rate; admins and readers get the bytes unparsed.
   */
  private static final Function<Buffer, Future<Buffer>> ID_AND_STATUS =
    record -> Future.succeededFuture(idAndStatus(record));
  /** No user has it (ids are random, version 4): what a plain caller whose subject is no UUID is confined to. */
  private static final UUID NOBODY = new UUID(0, 0);

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

  /**
   * As {@link #scope}, or a plain user confined to its own data ({@link #confinedTo}; anyone else's reads as none,
   * 404): for reads of a record found by a value, whose owner is only known from the data.
   */
  static AccessRule ownerOr(Scope scope, String own) {
    return AccessRule.of(scope.who + ", or the user itself (its own " + own + "; anyone else's: 404)",
      rc -> confinedTo(Caller.of(rc), scope));
  }

  /**
   * {@code GET /users/by-identifier} of active users: admins and users:read get the record, users:lookup its id and
   * is_active ({@link #ID_AND_STATUS}), a plain user its own record only ({@link #ownerOr}); any other service client
   * is refused before anything is read.
   */
  static AccessRule lookupOrOwner() {
    return AccessRule.onAnswer(Scope.READ.who + "; scope users:lookup: id and is_active; or the user itself (its own "
      + "identifiers; anyone else's: 404)", rc -> {
        Caller caller = Caller.of(rc);
        if (!Scope.READ.grants(caller) && Scope.LOOKUP.grants(caller)) {
          return ID_AND_STATUS;
        }
        confinedTo(caller, Scope.LOOKUP);
        return AccessRule.ANY_ANSWER;
      });
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
   * The user a read of a record found by a value is confined to: null when the caller may read any record (an admin, a
   * service client granted {@code scope}), the caller itself when it is a plain user. A service client without the
   * scope is refused here, before anything is read.
   */
  static UUID confinedTo(RoutingContext rc, Scope scope) {
    return confinedTo(Caller.of(rc), scope);
  }

  private static UUID confinedTo(Caller caller, Scope scope) {
    if (scope.grants(caller)) {
      return null;
    }
    if (caller.isService()) {
      throw new ApiException(ErrorCode.FORBIDDEN, scope.refusal);
    }
    try {
      return UUID.fromString(caller.subject());
    } catch (IllegalArgumentException e) {
      return NOBODY;
    }
  }

  /** {@code {"id", "is_active"}} of a user's detail. */
  static Buffer idAndStatus(Buffer record) {
    JsonObject user = new JsonObject(record);
    return new JsonObject().put("id", user.getValue("id")).put("is_active", user.getValue("is_active")).toBuffer();
  }
}

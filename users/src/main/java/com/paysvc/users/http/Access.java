package com.paysvc.users.http;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.security.Caller;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * SPEC §4 access rules: admins and service clients read and write everything; a plain user reads only its own
 * record, contacts and memberships (anyone else's → 403, OWASP API1); dictionaries are readable by anyone
 * authenticated.
 */
final class Access {
  private Access() {
  }

  static void privileged(RoutingContext rc) {
    if (!Caller.of(rc).privileged()) {
      throw new ApiException(ErrorCode.FORBIDDEN, "requires the admin or service role");
    }
  }

  /** For routes naming the user up front (path or query): checked before any data is read. */
  static void selfOrPrivileged(RoutingContext rc, UUID userId) {
    Caller caller = Caller.of(rc);
    if (!caller.privileged() && !caller.subject().equalsIgnoreCase(userId.toString())) {
      throw new ApiException(ErrorCode.FORBIDDEN, "you may only read your own record");
    }
  }

  /**
   * For reads where the owner is only known from the data ({@code ownerField} of the JSON). Privileged callers
   * (the hot path: auth and webhook are service clients) get the bytes without the JSON being parsed.
   */
  static Future<Buffer> ownedBy(RoutingContext rc, Buffer body, String ownerField) {
    Caller caller = Caller.of(rc);
    if (caller.privileged() || caller.subject().equalsIgnoreCase(new JsonObject(body).getString(ownerField))) {
      return Future.succeededFuture(body);
    }
    return Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "you may only read your own record"));
  }
}

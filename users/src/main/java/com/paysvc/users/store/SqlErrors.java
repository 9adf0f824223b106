package com.paysvc.users.store;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;

/**
 * Maps the SQLSTATEs our stored functions raise (see sql/users/V3__functions.sql, V6) and constraint violations to
 * SPEC §3 errors. Messages of our own RAISEs are written for clients; constraint and cast errors are replaced
 * by fixed texts so no SQL reaches the client. Anything else passes through (infrastructure → 503 upstream).
 */
public final class SqlErrors {
  private SqlErrors() {
  }

  public static <T> Future<T> translate(Throwable err) {
    return Future.failedFuture(toApi(err));
  }

  static Throwable toApi(Throwable err) {
    if (!(err instanceof PgException pg) || pg.getSqlState() == null) {
      return err;
    }
    String msg = pg.getErrorMessage();
    return switch (pg.getSqlState()) {
      case "P0002" -> new ApiException(ErrorCode.NOT_FOUND, msg);
      case "UV001" -> new ApiException(ErrorCode.VALIDATION_ERROR, msg);
      case "UC001" -> new ApiException(ErrorCode.CONTACT_TYPE_CONFLICT, msg);
      case "UL001" -> new ApiException(ErrorCode.INVALID_SECOND_LOGIN, msg);
      case "UR001" -> new ApiException(ErrorCode.CONFLICT, msg);
      case "UF001" -> new ApiException(ErrorCode.FORBIDDEN, msg);
      case "23505" -> uniqueViolation(pg.getConstraint());
      case "23503" -> new ApiException(ErrorCode.CONFLICT, "still in use: remove what refers to it first");
      // 22P05/22021: a NUL character (\u0000) in a JSON string or a text value, which Postgres cannot store.
      case "23514" -> "user_groups_name_not_reserved".equals(pg.getConstraint())
        ? new ApiException(ErrorCode.VALIDATION_ERROR, "the group name service is reserved for service clients")
        : new ApiException(ErrorCode.VALIDATION_ERROR, "invalid value");
      case "22P02", "22001", "22023", "22003", "22P05", "22021" ->
        new ApiException(ErrorCode.VALIDATION_ERROR, "invalid value");
      default -> err;
    };
  }

  private static ApiException uniqueViolation(String constraint) {
    if ("user_contacts_active_value_uq".equals(constraint)) {
      return new ApiException(ErrorCode.CONTACT_TYPE_CONFLICT, "this contact value is already in use by another user");
    }
    if ("user_contacts_active_type_uq".equals(constraint)) {
      return new ApiException(ErrorCode.CONTACT_TYPE_CONFLICT, "the user already has an active contact of this type");
    }
    return new ApiException(ErrorCode.CONFLICT, "an entry with this name already exists");
  }
}

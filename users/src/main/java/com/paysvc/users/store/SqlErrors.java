package com.paysvc.users.store;

import com.paysvc.common.db.SqlFailures;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;

/**
 * users' part of the SQLSTATE → SPEC §3 mapping (the generic part is common's {@link SqlFailures}): the SQLSTATEs
 * our stored functions raise (see sql/users/V3__functions.sql, V6) and our named constraints.
 */
public final class SqlErrors {
  static final SqlFailures MAPPING = SqlFailures.generic()
    .raised("UV001", ErrorCode.VALIDATION_ERROR)
    .raised("UC001", ErrorCode.CONTACT_TYPE_CONFLICT)
    .raised("UL001", ErrorCode.INVALID_SECOND_LOGIN)
    .raised("UR001", ErrorCode.CONFLICT)
    .raised("UF001", ErrorCode.FORBIDDEN)
    // The unique names of the dictionaries (user groups, contact types); the contacts' indexes are named below.
    .state(SqlFailures.UNIQUE_VIOLATION, ErrorCode.CONFLICT, "an entry with this name already exists")
    .constraint("user_contacts_active_value_uq", ErrorCode.CONTACT_TYPE_CONFLICT,
      "this contact value is already in use by another user")
    .constraint("user_contacts_active_type_uq", ErrorCode.CONTACT_TYPE_CONFLICT,
      "the user already has an active contact of this type")
    .constraint("user_groups_name_not_reserved", ErrorCode.VALIDATION_ERROR,
      "the group name service is reserved for service clients");

  private SqlErrors() {
  }

  public static <T> Future<T> translate(Throwable err) {
    return MAPPING.translate(err);
  }
}

package com.paysvc.users.store;

import com.paysvc.common.db.SqlFailures;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;

/**
 * users' part of the SQLSTATE → SPEC §3 mapping (the generic part is common's {@link SqlFailures}): the SQLSTATEs
 * our stored functions raise (see sql/users/V3__functions.sql, V6, V14) and our named constraints.
 */
public final class SqlErrors {
  static final SqlFailures MAPPING = SqlFailures.generic()
    .raised("UV001", ErrorCode.VALIDATION_ERROR)
    .raised("UC001", ErrorCode.CONTACT_TYPE_CONFLICT)
    .raised("UL001", ErrorCode.INVALID_SECOND_LOGIN)
    .raised("UR001", ErrorCode.CONFLICT)
    .raised("UF001", ErrorCode.FORBIDDEN)
    // A profile over the size bound (V14); over depth or keys is UV001.
    .raised("US001", ErrorCode.PAYLOAD_TOO_LARGE)
    // The unique names of the dictionaries (user groups, contact types); the contacts' indexes are named below.
    .state(SqlFailures.UNIQUE_VIOLATION, ErrorCode.CONFLICT, "an entry with this name already exists")
    .constraint("user_contacts_active_value_uq", ErrorCode.CONTACT_TYPE_CONFLICT,
      "this contact value is already in use by another user")
    .constraint("user_contacts_active_type_uq", ErrorCode.CONTACT_TYPE_CONFLICT,
      "the user already has an active contact of this type")
    .constraint("user_groups_name_not_reserved", ErrorCode.VALIDATION_ERROR,
      "the group name service is reserved for service clients")
    // The column's hard cap beneath the service's bound (V14): only a write that bypassed the bound can reach it.
    .constraint("users_profile_size_cap", ErrorCode.PAYLOAD_TOO_LARGE, "profile too large");

  private SqlErrors() {
  }

  public static <T> Future<T> translate(Throwable err) {
    return MAPPING.translate(err);
  }
}

package com.paysvc.users.store;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static com.paysvc.testing.PgErrors.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Every SQLSTATE users' stored functions and constraints produce → status, error code and message to the client. */
class SqlErrorsTest {

  @ParameterizedTest(name = "{0} {1} -> {3} {4}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
    # SQLSTATE | constraint                    | Postgres' message (a RAISE's is for clients)               | status | error code            | message to the client
    P0002      | -                             | user not found                                             | 404    | NOT_FOUND             | user not found
    UV001      | -                             | phone must be in E.164 form, e.g. +79991234567             | 400    | VALIDATION_ERROR      | phone must be in E.164 form, e.g. +79991234567
    UC001      | -                             | the user already has an active email contact               | 409    | CONTACT_TYPE_CONFLICT | the user already has an active email contact
    UL001      | -                             | second_login must not look like a phone number             | 400    | INVALID_SECOND_LOGIN  | second_login must not look like a phone number
    UR001      | -                             | the built-in group admin cannot be renamed                 | 409    | CONFLICT              | the built-in group admin cannot be renamed
    UF001      | -                             | only an admin may put a user into the group admin          | 403    | FORBIDDEN             | only an admin may put a user into the group admin
    US001      | -                             | profile is 9009 bytes as stored, more than the 8192 allowed | 413   | PAYLOAD_TOO_LARGE     | profile is 9009 bytes as stored, more than the 8192 allowed
    23505      | user_contacts_active_value_uq | duplicate key value violates unique constraint             | 409    | CONTACT_TYPE_CONFLICT | this contact value is already in use by another user
    23505      | user_contacts_active_type_uq  | duplicate key value violates unique constraint             | 409    | CONTACT_TYPE_CONFLICT | the user already has an active contact of this type
    23505      | user_groups_name_key          | duplicate key value violates unique constraint             | 409    | CONFLICT              | an entry with this name already exists
    23505      | -                             | duplicate key value violates unique constraint             | 409    | CONFLICT              | an entry with this name already exists
    23503      | user_contacts_contact_type_id_fkey | update or delete violates foreign key constraint      | 409    | CONFLICT              | still in use: remove what refers to it first
    23514      | user_groups_name_not_reserved | new row violates check constraint                          | 400    | VALIDATION_ERROR      | the group name service is reserved for service clients
    23514      | user_groups_name_check        | new row violates check constraint                          | 400    | VALIDATION_ERROR      | invalid value
    23514      | users_profile_size_cap        | new row violates check constraint                          | 413    | PAYLOAD_TOO_LARGE     | profile too large
    22P02      | -                             | invalid input syntax for type uuid                         | 400    | VALIDATION_ERROR      | invalid value
    22001      | -                             | value too long for type character varying                  | 400    | VALIDATION_ERROR      | invalid value
    22023      | -                             | invalid event type                                         | 400    | VALIDATION_ERROR      | invalid value
    22003      | -                             | integer out of range                                       | 400    | VALIDATION_ERROR      | invalid value
    22P05      | -                             | unsupported Unicode escape sequence                        | 400    | VALIDATION_ERROR      | invalid value
    22021      | -                             | invalid byte sequence for encoding "UTF8": 0x00            | 400    | VALIDATION_ERROR      | invalid value
    """)
  void mapsEachCase(String sqlState, String constraint, String pgMessage, int status, ErrorCode code, String message) {
    ApiException api = assertInstanceOf(ApiException.class, SqlErrors.translate(of(sqlState, pgMessage, constraint)).cause());
    assertEquals(status, api.code().status());
    assertEquals(code, api.code());
    assertEquals(message, api.getMessage());
  }

  @ParameterizedTest
  @CsvSource(nullValues = "-", value = {"42883", "40001", "40P01", "08006", "25006", "57P01", "XX000", "-"})
  void otherSqlStatesPassThrough(String sqlState) {
    Throwable failure = of(sqlState, "not a business answer");
    assertSame(failure, SqlErrors.translate(failure).cause());
  }

  @Test
  void otherFailuresPassThrough() {
    Throwable failure = new IOException("connection reset");
    assertSame(failure, SqlErrors.translate(failure).cause());
  }
}

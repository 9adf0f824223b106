package com.paysvc.users.store;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The identifiers of a user's entries: its id and its contact values as stored, and what a write released. */
class UserIdentifiersTest {
  private static final Buffer DETAIL = Buffer.buffer("""
    {"id":"0b6f7c3e-0000-4000-8000-000000000001","contacts":[{"type":"phone","value":"+15550001111"},
     {"type":"email","value":"x@y.org"},{"type":"second_login","value":"A0EEBC999C0B4EF8BB6D6BB9BD380A11"}]}""");

  @Test
  void aDetailNamesItsIdAndEveryContactValueAsStored() {
    assertEquals(List.of("0b6f7c3e-0000-4000-8000-000000000001", "+15550001111", "x@y.org",
      "A0EEBC999C0B4EF8BB6D6BB9BD380A11"), UserIdentifiers.of(DETAIL));
  }

  @Test
  void releasedValuesAreNamedToo() {
    assertEquals(List.of("0b6f7c3e-0000-4000-8000-000000000001", "+15550001111", "x@y.org",
      "A0EEBC999C0B4EF8BB6D6BB9BD380A11", "old@y.org"), UserIdentifiers.of(DETAIL, List.of("x@y.org", "old@y.org")));
  }

  @Test
  void aUserWithoutContactsIsNamedByItsId() {
    assertEquals(List.of("0b6f7c3e-0000-4000-8000-000000000002"),
      UserIdentifiers.of(Buffer.buffer("{\"id\":\"0b6f7c3e-0000-4000-8000-000000000002\",\"contacts\":[]}")));
  }
}

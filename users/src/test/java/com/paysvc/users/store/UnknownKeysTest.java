package com.paysvc.users.store;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The names of a user's cached misses: its id and contact values, UUID-shaped ones canonical. */
class UnknownKeysTest {
  @Test
  void uuidShapedValuesAreCanonicalOthersAsStored() {
    String id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    for (String spelling : List.of("A0EEBC999C0B4EF8BB6D6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
        "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}")) {
      assertEquals(id, UnknownKeys.normalised(spelling), spelling);
    }
    for (String other : List.of("+15550001111", "x@y.org", "login_1", "{" + id, "a0-eebc999c0b4ef8bb6d6bb9bd380a11")) {
      assertEquals(other, UnknownKeys.normalised(other));
    }
  }

  @Test
  void aDetailNamesItsIdAndEveryContact() {
    Buffer detail = Buffer.buffer("""
      {"id":"0b6f7c3e-0000-4000-8000-000000000001","contacts":[{"type":"phone","value":"+15550001111"},
       {"type":"email","value":"x@y.org"},{"type":"second_login","value":"A0EEBC999C0B4EF8BB6D6BB9BD380A11"}]}""");
    assertEquals(List.of("0b6f7c3e-0000-4000-8000-000000000001", "+15550001111", "x@y.org",
      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), UnknownKeys.of(detail));
  }
}

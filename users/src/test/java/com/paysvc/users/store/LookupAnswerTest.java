package com.paysvc.users.store;

import com.paysvc.users.store.AccountsStore.Lookup;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** get_user_by_identifier_v5's one text value, split at its first two ';' only (V13). */
class LookupAnswerTest {

  private static final String ID = "914dedb3-efe1-4685-bac6-9387079c5ab5";

  @Test
  void aFoundUserOnTheReplicaKeepsEverySemicolonOfItsDetail() {
    String detail = "{\"id\" : \"" + ID + "\", \"profile\" : {\"note\": \"a;b;;c\"}}";
    Lookup l = Lookup.parse("16/B374D848;" + ID + ";" + detail);
    assertTrue(l.found());
    assertEquals(UUID.fromString(ID), l.userId());
    assertEquals(detail, l.detail().toString());
    assertNull(l.unknownKey());
    assertEquals(Lsn.parse("16/B374D848"), l.replayed());
  }

  @Test
  void aMissGivesItsKeyWhateverItHolds() {
    Lookup l = Lookup.parse("0/3000148;;who;ever;");
    assertFalse(l.found());
    assertNull(l.userId());
    assertNull(l.detail());
    assertEquals("who;ever;", l.unknownKey());
    assertEquals(Lsn.parse("0/3000148"), l.replayed());
    assertEquals("", Lookup.parse("0/1;;").unknownKey());
  }

  @Test
  void onThePrimaryThePositionIsEmptyAndStaysNull() {
    assertNull(Lookup.parse(";" + ID + ";{}").replayed());
    assertEquals("{}", Lookup.parse(";" + ID + ";{}").detail().toString());
    assertNull(Lookup.parse(";;x").replayed());
  }

  @Test
  void anythingElseIsRefused() {
    for (String junk : new String[] {"", "0/1", "0/1;" + ID, "nolsn;;x", "0/1;not-a-uuid;{}"}) {
      assertThrows(RuntimeException.class, () -> Lookup.parse(junk), junk);
    }
  }
}

package com.paysvc.users.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WAL positions: PostgreSQL's text form in, the fixed-width marker out, unsigned order. */
class LsnTest {

  @Test
  void parsesPostgresTextAndWritesSixteenHexDigits() {
    Lsn lsn = Lsn.parse("16/B374D848");
    assertEquals(0x16_B374D848L, lsn.position());
    assertEquals("00000016B374D848", lsn.marker());
    assertEquals("16/B374D848", lsn.toString());
    assertEquals("0000000000000000", Lsn.parse("0/0").marker());
    assertEquals("FFFFFFFFFFFFFFFF", Lsn.UNKNOWN.marker());
    assertEquals("0/1", Lsn.parse("0/1").toString());
    assertEquals(Lsn.parse("a/b"), Lsn.parse("A/B"));
  }

  @Test
  void aPrimarysNullStaysNullAndJunkIsRefused() {
    assertNull(Lsn.parse(null));
    for (String junk : new String[] {"", "/", "1/", "/1", "1", "1/2/3", "x/1", "100000000/0", "0/100000000", "-1/0"}) {
      assertThrows(IllegalArgumentException.class, () -> Lsn.parse(junk), junk);
    }
  }

  @Test
  void markersReadBackAndOneWithoutAPositionIsUnknown() {
    assertNull(Lsn.ofMarker(null));
    assertEquals(Lsn.parse("16/B374D848"), Lsn.ofMarker("00000016B374D848"));
    assertEquals(Lsn.UNKNOWN, Lsn.ofMarker("1"), "an older instance's marker");
    assertEquals(Lsn.UNKNOWN, Lsn.ofMarker("00000016B374D84G"));
    for (String text : new String[] {"0/0", "0/FFFFFFFF", "1/0", "FFFFFFFF/FFFFFFFF", "7F/12345678"}) {
      assertEquals(Lsn.parse(text), Lsn.ofMarker(Lsn.parse(text).marker()), text);
    }
  }

  /** The low half never outweighs the high one; order is unsigned, so UNKNOWN (all ones) is after every position. */
  @Test
  void reachedComparesPositionsUnsigned() {
    Lsn written = Lsn.parse("1/10");
    assertTrue(Lsn.parse("1/10").reached(written));
    assertTrue(Lsn.parse("1/11").reached(written));
    assertTrue(Lsn.parse("2/0").reached(written));
    assertFalse(Lsn.parse("1/F").reached(written));
    assertFalse(Lsn.parse("0/FFFFFFFF").reached(written));
    assertFalse(Lsn.parse("FFFFFFFF/FFFFFFFE").reached(Lsn.UNKNOWN));
    assertTrue(Lsn.parse("80000000/0").reached(Lsn.parse("7FFFFFFF/FFFFFFFF")), "past the sign bit");
    // Marker strings order as positions do: what the Lua scripts rely on (they compare halves, not strings).
    assertTrue(Lsn.parse("0/FFFFFFFF").marker().compareTo(Lsn.parse("1/0").marker()) < 0);
  }

  @Test
  void laterPicksTheLaterAndIgnoresNull() {
    Lsn a = Lsn.parse("3/0");
    Lsn b = Lsn.parse("2/FFFFFFFF");
    assertEquals(a, Lsn.later(a, b));
    assertEquals(a, Lsn.later(b, a));
    assertEquals(a, Lsn.later(null, a));
    assertEquals(a, Lsn.later(a, null));
    assertNull(Lsn.later(null, null));
    assertEquals(Lsn.UNKNOWN, Lsn.later(a, Lsn.UNKNOWN));
  }
}

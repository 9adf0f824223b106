package com.paysvc.auth.service;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RefreshTokensTest {
  final RefreshTokens tokens = new RefreshTokens("k".repeat(32));

  @Test
  void aChildIsDerivedFromItsParentWithTheServerKeyOnly() {
    RefreshTokens.Token parent = tokens.fresh();
    assertEquals(43, parent.text().length());
    assertEquals(32, parent.hash().length);
    RefreshTokens.Token child = tokens.child(parent);
    assertEquals(child.text(), tokens.child(RefreshTokens.parse(parent.text())).text(), "same parent, same child");
    assertNotEquals(parent.text(), child.text());
    assertNotEquals(child.text(), new RefreshTokens("other".repeat(8)).child(parent).text(), "another key, another child");
    assertFalse(child.text().equals(tokens.child(tokens.fresh()).text()));
    assertArrayEquals(parent.hash(), RefreshTokens.parse(parent.text()).hash());
  }

  @Test
  void onlyWellFormedTokensParse() {
    for (String bad : new String[] {null, "", "short", "x".repeat(44), "!".repeat(43), "a".repeat(42) + "="}) {
      assertNull(RefreshTokens.parse(bad), String.valueOf(bad));
    }
  }
}

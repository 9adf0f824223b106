package com.paysvc.auth.service;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceClientsTest {
  @Test
  void authenticatesOnlyTheExactSecret() {
    ServiceClients c = ServiceClients.parse("auth:s1, users:s:with:colons ,webhook:s3");
    assertTrue(c.authenticate("auth", "s1"));
    assertTrue(c.authenticate("users", "s:with:colons"));
    assertFalse(c.authenticate("auth", "s3"));
    assertFalse(c.authenticate("nobody", "s1"));
    assertFalse(c.authenticate("auth", ""));
  }

  @Test
  void badListsAreRefusedWithoutEchoingSecrets() {
    for (String bad : new String[] {"", "auth", "auth:", ":zz9Secret", "a b:zz9Secret", "auth:zz9Secret,auth:zz9Other"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceClients.parse(bad));
      assertFalse(e.getMessage().contains("zz9"), e.getMessage());
    }
  }
}

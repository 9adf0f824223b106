package com.paysvc.auth.service;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceClientsTest {
  static final String S1 = "s1-0123456789abcdef0123456789abcdef";
  static final String S2 = "s2-%+&=0123456789abcdef0123456789ab";
  static final String S3 = "s3-0123456789abcdef0123456789abcdef";

  @Test
  void authenticatesOnlyTheExactSecretAndCarriesTheClientsScopes() {
    ServiceClients c = ServiceClients.parse("auth:" + S1 + ":users:lookup users:read  users:create, users:" + S2
      + " ,webhook:" + S3 + ":users:lookup");
    assertEquals(Set.of("users:lookup", "users:read", "users:create"), c.authenticate("auth", S1).scopes());
    assertEquals(Set.of(), c.authenticate("users", S2).scopes());
    assertEquals("users:lookup", c.authenticate("webhook", S3).scopeClaim());
    assertNull(c.authenticate("auth", S3));
    assertNull(c.authenticate("nobody", S1));
    assertNull(c.authenticate("auth", ""));
    assertNull(c.authenticate("auth", null));
    assertNull(c.authenticate(null, S1));
    assertEquals(3, c.size());
  }

  @Test
  void badListsAreRefusedWithoutEchoingSecrets() {
    String secret = "zz9-0123456789abcdef0123456789abcdef";
    for (String bad : new String[] {"", "auth", "auth:", ":" + secret, "a b:" + secret, "auth:" + secret + ",auth:" + secret,
      "auth:zz9-short", "auth:" + secret + ":Users:Lookup", "auth:" + secret + ":users:lookup zz9:x/y"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceClients.parse(bad), bad);
      assertFalse(e.getMessage().contains("zz9"), e.getMessage());
    }
  }

  @Test
  void aSecretShorterThan32CharactersIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> ServiceClients.parse("webhook:" + "x".repeat(31)));
    assertTrue(e.getMessage().contains("shorter than 32"), e.getMessage());
    assertEquals(1, ServiceClients.parse("webhook:" + "x".repeat(32)).size());
  }
}

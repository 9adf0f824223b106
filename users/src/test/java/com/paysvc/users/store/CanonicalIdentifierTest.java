package com.paysvc.users.store;

import com.paysvc.users.store.CanonicalIdentifier.Kind;
import com.paysvc.users.store.CanonicalIdentifier.Match;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Kinds and canonical forms without a database; CanonicalIdentifierIT holds them against the SQL. */
class CanonicalIdentifierTest {
  private static final String ID = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";

  @Test
  void everyUuidSpellingComesDownToTheLowerCaseHyphenatedForm() {
    for (String spelling : List.of(ID, ID.toUpperCase(), "A0eeBC99-9c0b-4EF8-bb6d-6BB9bd380A11", "{" + ID + "}",
        "{" + ID.toUpperCase() + "}", ID.replace("-", ""), "{" + ID.replace("-", "") + "}",
        "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc999c0b4ef8-bb6d6bb9bd380a11")) {
      assertEquals(Kind.UUID, CanonicalIdentifier.kind(spelling), spelling);
      assertEquals(ID, CanonicalIdentifier.of(spelling), spelling);
    }
    assertSame(ID, CanonicalIdentifier.of(ID), "an already canonical identifier is not copied");
  }

  @Test
  void almostUuidsAreSecondLoginsAsGiven() {
    String hex = ID.replace("-", "");
    for (String s : List.of("{" + ID, ID + "}", "{{" + ID + "}}", hex.substring(1), hex + "0", "-" + hex, hex + "-",
        hex.substring(0, 2) + "-" + hex.substring(2), hex.substring(0, 4) + "--" + hex.substring(4),
        hex.substring(0, 31) + "g", "{}", "{", "-", " " + ID, ID + "\n")) {
      assertEquals(Kind.SECOND_LOGIN, CanonicalIdentifier.kind(s), s);
      assertSame(s, CanonicalIdentifier.of(s), s);
    }
  }

  @Test
  void phonesAreE164AsGiven() {
    for (String s : List.of("+12", "+79991234567", "+123456789012345")) {
      assertEquals(Kind.PHONE, CanonicalIdentifier.kind(s), s);
      assertSame(s, CanonicalIdentifier.of(s));
    }
    for (String s : List.of("+1", "+0123", "+1234567890123456", "79991234567", "++7999", "+7 999", "+7999-12",
        "+７９９９")) {
      assertEquals(Kind.SECOND_LOGIN, CanonicalIdentifier.kind(s), s);
    }
  }

  @Test
  void emailsAreLowerCase() {
    assertEquals("first.last+tag@example.com", CanonicalIdentifier.of("First.Last+Tag@Example.COM"));
    assertEquals(Kind.EMAIL, CanonicalIdentifier.kind("a@b.c"));
    assertSame("a@b.c", CanonicalIdentifier.of("a@b.c"));
    assertEquals("a.b@c.d.e", CanonicalIdentifier.of("A.B@C.D.E"));
    for (String s : List.of("a@b", "@b.c", "a@.c", "a@b.", "a@@b.c", "a@b@c.d", "a b@c.d", "a@b.c ", "a\t@b.c",
        "a@b\u000b.c", "Login@NoDot")) {
      assertEquals(Kind.SECOND_LOGIN, CanonicalIdentifier.kind(s), s);
      assertSame(s, CanonicalIdentifier.of(s), s);
    }
  }

  @Test
  void nonAsciiWithAnAtIsUndecidedWithoutOneASecondLogin() {
    for (String s : List.of("Jürgen@example.com", "a\u2003b@c.d", "İ@x.io", "a@b.c\u00a0")) {
      assertEquals(Kind.UNDECIDED, CanonicalIdentifier.kind(s), s);
      assertNull(CanonicalIdentifier.of(s), s);
    }
    for (String s : List.of("Jürgen", "🙂", "+٧٩٩٩", "Ａ0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")) {
      assertEquals(Kind.SECOND_LOGIN, CanonicalIdentifier.kind(s), s);
      assertSame(s, CanonicalIdentifier.of(s), s);
    }
  }

  @Test
  void aUserMatchesItsOwnIdentifiersAsTheLookupReadsThem() {
    JsonObject user = new JsonObject("""
      {"id": "%s", "is_active": true, "contacts": [
        {"type": "email", "value": "anna@example.com"}, {"type": "phone", "value": "+79991234567"},
        {"type": "second_login", "value": "Anna_K"}, {"type": "telegram", "value": "anna_tg"}]}""".formatted(ID));
    for (String own : List.of(ID, "{" + ID.toUpperCase() + "}", ID.replace("-", ""), "Anna@Example.COM", "+79991234567",
        "Anna_K")) {
      assertEquals(Match.FOUND, CanonicalIdentifier.match(user, own), own);
    }
    for (String other : List.of("anna_k", "79991234567", "anna_tg", "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "anna@example.org", "Anna@Example.COM ")) {
      assertEquals(Match.NOT_FOUND, CanonicalIdentifier.match(user, other), other);
    }
    assertEquals(Match.NOT_FOUND, CanonicalIdentifier.match(user.copy().put("is_active", false), ID), "inactive");
  }

  @Test
  void aUuidSpelledSecondLoginMatchesOnlyUnlessItIsAnotherUsersId() {
    String login = "B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11";
    JsonObject user = new JsonObject().put("id", ID).put("is_active", true)
      .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "second_login").put("value", login)));
    assertEquals(Match.UNLESS_AN_ID, CanonicalIdentifier.match(user, login));
    assertEquals(Match.NOT_FOUND, CanonicalIdentifier.match(user, login.toLowerCase()), "another spelling");
  }

  @Test
  void anUndecidedIdentifierMatchesOnlyAsStored() {
    JsonObject user = new JsonObject().put("id", ID).put("is_active", true)
      .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "email").put("value", "jürgen@example.com")));
    assertEquals(Match.FOUND, CanonicalIdentifier.match(user, "jürgen@example.com"));
    assertEquals(Match.NOT_FOUND, CanonicalIdentifier.match(user, "Jürgen@example.com"));
  }
}

package com.paysvc.users;

import com.paysvc.testing.TestStack;
import com.paysvc.users.store.CanonicalIdentifier;
import com.paysvc.users.store.CanonicalIdentifier.Kind;
import org.junit.jupiter.api.Test;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache's canonical identifier ({@link CanonicalIdentifier}, Java, on the hot path) against the lookup's own
 * reading of it ({@code accounts.identifier_kind_v1} and the key {@code accounts.get_user_by_identifier_v5} names a
 * miss by), on a table of spellings: every ASCII character inserted into and replacing characters of identifiers of
 * each kind, plus non-ASCII ones. If they disagreed, two spellings the database tells apart could share an entry.
 */
class CanonicalIdentifierIT extends UsersTestBase {
  private static final String ID = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";

  @Test
  void javaAndTheDatabaseReadEverySpellingAlike() throws Exception {
    Set<String> table = new LinkedHashSet<>();
    String hex = ID.replace("-", "");
    List<String> bases = List.of(ID, ID.toUpperCase(Locale.ROOT), "{" + ID + "}", hex, "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
      "+79991234567", "+12", "Anna.B+x@Example.COM", "a@b.c", "a@b", "login_1", "X");
    for (String base : bases) {
      table.add(base);
      int n = base.length();
      for (char c = 1; c < 128; c++) {
        for (int at : new int[] {0, 1, n / 2, n - 1, n}) {
          table.add(base.substring(0, at) + c + base.substring(at));
        }
        for (int at : new int[] {0, n / 2, n - 1}) {
          table.add(base.substring(0, at) + c + base.substring(at + 1));
        }
      }
    }
    StringBuilder digits = new StringBuilder("+1");
    for (int i = 0; i < 17; i++) {
      table.add(digits.toString());
      digits.append(i % 10);
    }
    table.addAll(List.of("Jürgen", "Jürgen@Example.com", "a\u2003b@c.d", "a\u00a0b@c.d", "İ@x.io", "K@x.io",
      "+٧٩٩٩١٢٣٤٥٦٧", "Ａ0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "🙂", "é@é.é", "x@y.z\u0085"));

    Map<String, Kind> kinds = Map.of("uuid", Kind.UUID, "phone", Kind.PHONE, "email", Kind.EMAIL,
      "second_login", Kind.SECOND_LOGIN);
    int compared = 0;
    int undecided = 0;
    try (Connection c = TestStack.superuser(database);
         PreparedStatement s = c.prepareStatement("SELECT i, accounts.identifier_kind_v1(i), "
           + "accounts.get_user_by_identifier_v5(i) FROM unnest(?::text[]) i")) {
      Array identifiers = c.createArrayOf("text", table.toArray());
      s.setArray(1, identifiers);
      List<String> disagreements = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String identifier = rs.getString(1);
          String answer = rs.getString(3);
          int idAt = answer.indexOf(';') + 1;
          assertTrue(answer.startsWith(";", idAt), "nobody has " + identifier + " in a fresh database");
          String missKey = answer.substring(idAt + 1);
          Kind java = CanonicalIdentifier.kind(identifier);
          // The hot path's one-pass form and the kind's agree.
          assertEquals(CanonicalIdentifier.of(identifier, java), CanonicalIdentifier.of(identifier), identifier);
          if (java == Kind.UNDECIDED) {
            undecided++;
            assertTrue(identifier.chars().anyMatch(ch -> ch > 0x7F) && identifier.indexOf('@') >= 0, identifier);
            continue;
          }
          compared++;
          if (java != kinds.get(rs.getString(2)) || !missKey.equals(CanonicalIdentifier.of(identifier))
              || (java == Kind.UUID) != CanonicalIdentifier.isUuid(CanonicalIdentifier.of(identifier))) {
            disagreements.add(escape(identifier) + ": database " + rs.getString(2) + " '" + escape(missKey) + "', java "
              + java + " '" + escape(CanonicalIdentifier.of(identifier)) + "'");
          }
        }
      }
      assertEquals(List.of(), disagreements);
    }
    System.out.printf("CanonicalIdentifierIT: %d identifiers read alike by Java and the database, %d left undecided%n",
      compared, undecided);
    assertTrue(compared > 10_000, "the table covers " + compared);
  }

  @Test
  void spellingsWithOneCanonicalFormFindOneUser() throws Exception {
    String email = "Mixed.Case+" + randomToken() + "@Example.COM";
    String id = createUser(randomPhone(), email, null).getString("id");
    List<String> spellings = List.of(id, id.toUpperCase(Locale.ROOT), "{" + id + "}", id.replace("-", ""), email,
      email.toLowerCase(Locale.ROOT), email.toUpperCase(Locale.ROOT));
    try (Connection c = TestStack.superuser(database);
         PreparedStatement s = c.prepareStatement("SELECT accounts.get_user_by_identifier_v5(?)")) {
      for (String spelling : spellings) {
        s.setString(1, spelling);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          String answer = rs.getString(1);
          int idAt = answer.indexOf(';') + 1;
          assertEquals(id, answer.substring(idAt, answer.indexOf(';', idAt)), spelling);
        }
        String canonical = CanonicalIdentifier.of(spelling);
        assertTrue(canonical.equals(id) || canonical.equals(email.toLowerCase(Locale.ROOT)), spelling + " -> " + canonical);
      }
    }
  }

  private static String escape(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    for (char ch : s.toCharArray()) {
      out.append(ch < 0x20 || ch == 0x7F ? String.format("\\x%02x", (int) ch) : String.valueOf(ch));
    }
    return out.toString();
  }
}

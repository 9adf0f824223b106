package com.paysvc.users.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An identifier as the by-identifier lookup reads it ({@code accounts.identifier_kind_v1},
 * {@code accounts.get_user_by_identifier_v5}): its kind, and its canonical form, the one value every spelling that
 * the lookup treats alike comes down to. The cache keys entries by it, so many spellings of one identifier share one
 * entry instead of each storing a copy of the record (issue 27).
 *
 * <ul>
 *   <li>UUID-shaped (32 hex digits, any case, hyphens after any group of four, optionally in braces): lower case,
 *       8-4-4-4-12, as {@code identifier::uuid::text};</li>
 *   <li>E.164 phone ({@code +[1-9]} then 1 to 14 digits): as given;</li>
 *   <li>e-mail ({@code ^[^@\s]+@[^@\s]+\.[^@\s]+$}): lower case, as {@code lower(identifier)};</li>
 *   <li>anything else, a second_login: as given.</li>
 * </ul>
 *
 * <p>Hand-written ASCII loops, no regex: this runs on every cached read. It agrees with the SQL on every ASCII
 * string ({@code CanonicalIdentifierIT} compares the two on a table of spellings). Beyond ASCII the SQL depends on the
 * database's locale (its {@code \s} takes some Unicode spaces, {@code lower()} folds non-ASCII letters, even to ASCII:
 * {@code lower('İ') = 'i'}): a non-ASCII string with an {@code @} may be an e-mail or a second_login, and its
 * canonical form is left {@linkplain Kind#UNDECIDED undecided} (such lookups bypass the cache). One without an
 * {@code @} can only be a second_login, compared as given.
 */
public final class CanonicalIdentifier {
  private CanonicalIdentifier() {
  }

  /** How the lookup reads an identifier. */
  public enum Kind { UUID, PHONE, EMAIL, SECOND_LOGIN, UNDECIDED }

  public static Kind kind(String s) {
    if (isUuidShaped(s)) {
      return Kind.UUID;
    }
    if (isPhone(s)) {
      return Kind.PHONE;
    }
    int at = s.indexOf('@');
    if (at < 0) {
      return Kind.SECOND_LOGIN;
    }
    if (!isAscii(s)) {
      return Kind.UNDECIDED;
    }
    return isEmail(s, at) ? Kind.EMAIL : Kind.SECOND_LOGIN;
  }

  /**
   * The canonical form of {@code s} (the same instance when {@code s} already is canonical, so the common case
   * allocates nothing); null when {@linkplain Kind#UNDECIDED undecided}. One pass for most identifiers: a phone or a
   * login fails the UUID shape at its first character and has no {@code @}.
   */
  public static String of(String s) {
    if (isUuidShaped(s)) {
      return uuid(s);
    }
    int at = s.indexOf('@');
    return at < 0 ? s : withAt(s, at);
  }

  /** {@link #of(String)} when the kind is known. */
  public static String of(String s, Kind kind) {
    return switch (kind) {
      case UUID -> uuid(s);
      case EMAIL -> lowerAscii(s);
      case PHONE, SECOND_LOGIN -> s;
      case UNDECIDED -> null;
    };
  }

  /** Whether a canonical form is a UUID's (else the identifier is a phone, an e-mail or a second_login). */
  public static boolean isUuid(String canonical) {
    return isCanonicalUuid(canonical);
  }

  /** The canonical form of a string with an {@code @} at {@code at}: an e-mail's, a second_login's or undecided. */
  private static String withAt(String s, int at) {
    int n = s.length();
    boolean email = at > 0;
    boolean dot = false;
    boolean upper = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > 0x7F) {
        return null;
      }
      if (isSpace(c) || (c == '@' && i != at)) {
        email = false;
      } else if (c == '.') {
        dot |= i > at + 1 && i < n - 1;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      }
    }
    return email && dot && upper ? lowerAscii(s) : s;
  }

  /** Whether the lookup of an identifier finds a given user. */
  public enum Match {
    FOUND,
    NOT_FOUND,
    /**
     * A UUID-shaped identifier that is the user's second_login as given but not its id: found unless an active user
     * has that UUID as id (the lookup tries ids first), which only the database knows.
     */
    UNLESS_AN_ID
  }

  /**
   * Whether the by-identifier lookup of {@code identifier} finds {@code user} (a detail: id, is_active, its active
   * contacts), by the lookup's rules: only an active user; its id in any UUID spelling, its phone or second_login as
   * given, its e-mail in any case. An undecided identifier (non-ASCII with an {@code @}) matches the e-mail or the
   * second_login exactly as stored only (the database may fold its case where Java cannot tell).
   */
  public static Match match(JsonObject user, String identifier) {
    if (!Boolean.TRUE.equals(user.getBoolean("is_active"))) {
      return Match.NOT_FOUND;
    }
    Kind kind = kind(identifier);
    if (kind == Kind.UUID && of(identifier, kind).equals(user.getString("id"))) {
      return Match.FOUND;
    }
    String canonical = kind == Kind.UNDECIDED ? identifier : of(identifier, kind);
    JsonArray contacts = user.getJsonArray("contacts", new JsonArray());
    for (int i = 0; i < contacts.size(); i++) {
      JsonObject contact = contacts.getJsonObject(i);
      String type = contact.getString("type");
      boolean named = switch (kind) {
        case PHONE -> "phone".equals(type);
        case EMAIL -> "email".equals(type);
        case SECOND_LOGIN, UUID -> "second_login".equals(type);
        case UNDECIDED -> "email".equals(type) || "second_login".equals(type);
      };
      if (named && (kind == Kind.UUID ? identifier : canonical).equals(contact.getString("value"))) {
        return kind == Kind.UUID ? Match.UNLESS_AN_ID : Match.FOUND;
      }
    }
    return Match.NOT_FOUND;
  }

  /**
   * {@code ^([0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){7}|\{[0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){7}\})$}: a hyphen only right
   * after a group of four digits (not the last), at most one there.
   */
  static boolean isUuidShaped(String s) {
    int from = 0;
    int to = s.length();
    if (to > 0 && s.charAt(0) == '{') {
      if (to < 2 || s.charAt(to - 1) != '}') {
        return false;
      }
      from = 1;
      to--;
    }
    int digits = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '-') {
        if (digits == 0 || digits % 4 != 0 || digits == 32 || s.charAt(i - 1) == '-') {
          return false;
        }
      } else if (isHex(c)) {
        digits++;
      } else {
        return false;
      }
    }
    return digits == 32 && s.charAt(to - 1) != '-';
  }

  /** {@code ^\+[1-9][0-9]{1,14}$}. */
  static boolean isPhone(String s) {
    int n = s.length();
    if (n < 3 || n > 16 || s.charAt(0) != '+' || s.charAt(1) < '1' || s.charAt(1) > '9') {
      return false;
    }
    for (int i = 2; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code ^[^@\s]+@[^@\s]+\.[^@\s]+$} on an ASCII string whose first {@code @} is at {@code at}: something before
   * it, no second {@code @}, no white space, and a dot with something on both sides after it.
   */
  private static boolean isEmail(String s, int at) {
    int n = s.length();
    if (at == 0) {
      return false;
    }
    boolean dot = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (isSpace(c) || (c == '@' && i != at)) {
        return false;
      }
      if (c == '.' && i > at + 1 && i < n - 1) {
        dot = true;
      }
    }
    return dot;
  }

  /** PostgreSQL's {@code \s} on ASCII: space, \t, \n, \v, \f, \r. */
  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7F) {
        return false;
      }
    }
    return true;
  }

  /** A UUID-shaped string as lower-case 8-4-4-4-12. */
  private static String uuid(String s) {
    if (isCanonicalUuid(s)) {
      return s;
    }
    char[] out = new char[36];
    int o = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isHex(c)) {
        if (o == 8 || o == 13 || o == 18 || o == 23) {
          out[o++] = '-';
        }
        out[o++] = c <= 'Z' && c >= 'A' ? (char) (c + ('a' - 'A')) : c;
      }
    }
    return new String(out);
  }

  private static boolean isCanonicalUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String lowerAscii(String s) {
    int i = 0;
    while (i < s.length() && !(s.charAt(i) >= 'A' && s.charAt(i) <= 'Z')) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    char[] out = s.toCharArray();
    for (; i < out.length; i++) {
      if (out[i] >= 'A' && out[i] <= 'Z') {
        out[i] += 'a' - 'A';
      }
    }
    return new String(out);
  }
}

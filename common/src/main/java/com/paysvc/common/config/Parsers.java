package com.paysvc.common.config;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;

/** Value parsers for {@link Setting}; each throws IllegalArgumentException with a message fit for an operator. */
final class Parsers {
  private Parsers() {
  }

  static String nonBlank(String v) {
    if (v.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return v.trim();
  }

  static int intIn(String v, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be an integer");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("must be between " + min + " and " + max);
    }
    return n;
  }

  static boolean bool(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    };
  }

  static String httpUrl(String v) {
    try {
      URI uri = new URI(v.trim());
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("must be an http(s) URL");
      }
      return v.trim();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("must be an http(s) URL");
    }
  }

  static String oneOf(String v, String... allowed) {
    String t = v.trim();
    if (Arrays.asList(allowed).contains(t)) {
      return t;
    }
    throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
  }
}

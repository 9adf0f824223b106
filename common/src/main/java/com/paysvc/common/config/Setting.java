package com.paysvc.common.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * One environment variable a service reads: its name, what it means, its default (null = required) and how to
 * parse it. Secrets are never echoed back, not even in validation messages.
 */
public record Setting<T>(String name, String description, String defaultValue, boolean secret,
                         Function<String, T> parser) {

  public Setting {
    Objects.requireNonNull(name);
    Objects.requireNonNull(description);
    Objects.requireNonNull(parser);
  }

  public boolean required() {
    return defaultValue == null;
  }

  public static Setting<String> string(String name, String defaultValue, String description) {
    return new Setting<>(name, description, defaultValue, false, Parsers::nonBlank);
  }

  /** A value that may be left empty to mean "not set" (e.g. a server's default user). */
  public static Setting<String> optionalString(String name, String description) {
    return new Setting<>(name, description, "", false, String::strip);
  }

  public static Setting<String> secret(String name, String description) {
    return new Setting<>(name, description, null, true, Parsers::nonBlank);
  }

  /** A secret that may be absent (empty string when unset), e.g. a password for a server that may have none. */
  public static Setting<String> optionalSecret(String name, String description) {
    return new Setting<>(name, description, "", true, v -> v);
  }

  public static Setting<Integer> port(String name, int defaultValue, String description) {
    return new Setting<>(name, description, Integer.toString(defaultValue), false, v -> Parsers.intIn(v, 0, 65535));
  }

  public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String description) {
    return new Setting<>(name, description, Integer.toString(defaultValue), false, v -> Parsers.intIn(v, min, max));
  }

  public static Setting<Boolean> bool(String name, boolean defaultValue, String description) {
    return new Setting<>(name, description, Boolean.toString(defaultValue), false, Parsers::bool);
  }

  public static Setting<String> url(String name, String defaultValue, String description) {
    return new Setting<>(name, description, defaultValue, false, Parsers::httpUrl);
  }

  public static Setting<String> oneOf(String name, String defaultValue, String description, String... allowed) {
    return new Setting<>(name, description + " (one of " + String.join(", ", allowed) + ")", defaultValue, false,
      v -> Parsers.oneOf(v, allowed));
  }
}

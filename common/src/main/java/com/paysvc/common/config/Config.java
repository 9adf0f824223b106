package com.paysvc.common.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validated settings of one service. Built only through {@link #load}, which checks every declared setting and
 * reports all problems together; values are then read with {@link #get}.
 */
public final class Config {
  private final Map<String, Object> values;
  private final Map<String, Setting<?>> declared;

  private Config(Map<String, Object> values, Map<String, Setting<?>> declared) {
    this.values = values;
    this.declared = declared;
  }

  public static Config load(List<Setting<?>> settings, Map<String, String> env) {
    Map<String, Object> values = new HashMap<>();
    Map<String, Setting<?>> declared = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Setting<?> s : settings) {
      declared.put(s.name(), s);
      String raw = env.get(s.name());
      if (raw == null) {
        raw = s.defaultValue();
      }
      if (raw == null) {
        problems.add(s.name() + " is missing (" + s.description() + ")");
        continue;
      }
      try {
        values.put(s.name(), s.parser().apply(raw));
      } catch (IllegalArgumentException e) {
        // Never echo a secret's value back; other values help the operator spot the typo.
        String shown = s.secret() ? "" : " (got '" + raw + "')";
        problems.add(s.name() + " " + e.getMessage() + shown);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Config(values, Collections.unmodifiableMap(declared));
  }

  /**
   * The names in {@code env} that look like the platform's but are none of {@code declared}, sorted: a name whose first
   * word (up to its first '_') starts a setting of {@code vocabulary} — every setting the platform's shared code knows,
   * and the service's own. Such a variable is ignored by the service: passed to a service that does not read it (a
   * deployment drifted from the code) or misspelt (LOGIN_MAX_FAILRES). Other names (PATH, JAVA_HOME, HOSTNAME) are not
   * the platform's business.
   */
  public static List<String> undeclared(Collection<Setting<?>> declared, Collection<Setting<?>> vocabulary,
                                        Collection<String> env) {
    Set<String> names = new HashSet<>();
    declared.forEach(s -> names.add(s.name()));
    Set<String> words = new HashSet<>();
    vocabulary.forEach(s -> words.add(firstWord(s.name())));
    declared.forEach(s -> words.add(firstWord(s.name())));
    return env.stream().filter(n -> !names.contains(n) && n.indexOf('_') > 0 && words.contains(firstWord(n))).sorted()
      .toList();
  }

  private static String firstWord(String name) {
    int i = name.indexOf('_');
    return i < 0 ? name : name.substring(0, i);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    if (!declared.containsKey(setting.name())) {
      throw new IllegalStateException("setting not declared by this service: " + setting.name());
    }
    return (T) values.get(setting.name());
  }

  /** The --help text: every setting, its default, whether it is required or secret. */
  public static String help(String service, List<Setting<?>> settings) {
    return help(service, settings, Map.of());
  }

  /** {@code commands}: the service's extra commands, name → arguments and what it does. */
  public static String help(String service, List<Setting<?>> settings, Map<String, String> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: java -jar ").append(service).append(".jar [run|migrate");
    commands.keySet().forEach(c -> sb.append('|').append(c));
    sb.append("|--help]\n\n")
      .append("  run (default)  start the service\n")
      .append("  migrate        apply the database migrations and exit\n");
    commands.forEach((name, usage) -> sb.append("  ").append(name).append(' ').append(usage).append('\n'));
    sb.append("  --help         print this text\n\n")
      .append("Settings (environment variables):\n");
    for (Setting<?> s : settings) {
      sb.append(String.format("  %-28s %s", s.name(), s.description()));
      if (s.required()) {
        sb.append(" [required]");
      } else if (!s.secret() || !s.defaultValue().isEmpty()) {
        sb.append(" [default: ").append(s.secret() ? "***" : s.defaultValue()).append(']');
      }
      if (s.secret()) {
        sb.append(" [secret]");
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}

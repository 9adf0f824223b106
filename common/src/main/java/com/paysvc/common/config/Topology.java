package com.paysvc.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where each part of the platform listens: ports, gateway prefixes and Redis databases, from {@code topology.env} at
 * the repository root. The one definition: bin/stack parses the same file (bin/lib/core.sh), common's jar carries a
 * copy (the build packages it), and the settings take their defaults from it. Compose and haproxy.cfg spell the values
 * out; TopologyTest holds them to this file.
 */
public final class Topology {
  /** The resource in common's jar (the repository's topology.env, packaged by common/pom.xml). */
  public static final String RESOURCE = "topology.env";
  private static final Pattern KEY = Pattern.compile("[A-Z][A-Z0-9_]*");
  private static final Map<String, String> VALUES = load();

  private Topology() {
  }

  /** One service's place: HTTP port (instance 1), gateway prefix, Redis logical database. */
  public record Service(int port, String prefix, int redisDb) {
  }

  /** The service named {@code name} (auth, users, webhook): keys {@code <NAME>_PORT}, {@code _PREFIX}, {@code _REDIS_DB}. */
  public static Service service(String name) {
    String key = name.toUpperCase(Locale.ROOT);
    return new Service(integer(key + "_PORT"), value(key + "_PREFIX"), integer(key + "_REDIS_DB"));
  }

  public static String value(String key) {
    String v = VALUES.get(key);
    if (v == null) {
      throw new IllegalStateException(RESOURCE + " has no " + key);
    }
    return v;
  }

  public static int integer(String key) {
    try {
      return Integer.parseInt(value(key));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(RESOURCE + ": " + key + " is not a number");
    }
  }

  public static Map<String, String> all() {
    return VALUES;
  }

  /**
   * The rule bin/lib/core.sh applies: {@code KEY=value} lines whose key is upper case, split at the first '=', the
   * value as it is; every other line (comments, blank lines) is skipped.
   */
  public static Map<String, String> parse(List<String> lines) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && KEY.matcher(line.substring(0, eq)).matches()) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return Collections.unmodifiableMap(values);
  }

  private static Map<String, String> load() {
    try (InputStream in = Topology.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE + " (packaged into common's jar from the repository root)");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE, e);
    }
  }
}

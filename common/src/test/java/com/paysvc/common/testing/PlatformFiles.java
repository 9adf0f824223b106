package com.paysvc.common.testing;

import com.paysvc.common.config.Setting;
import com.paysvc.common.config.Topology;
import com.paysvc.common.launch.ServiceDefinition;
import com.paysvc.common.launch.ServiceSettings;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's deployment files read as data, for unit tests that hold them to the code (no server involved):
 * topology.env, the environment bin/stack gives each service (service_env and start_service in bin/lib/services.sh,
 * read as text), compose/docker-compose.yml and haproxy.cfg.
 */
public final class PlatformFiles {
  /** What bin/stack passes that is the process's, not a setting: the instance's own directory and the caller's JDK. */
  public static final Set<String> PROCESS_VARIABLES = Set.of("HOME", "JAVA_HOME");
  public static final List<String> SERVICES = List.of("auth", "users", "webhook");

  private static final Pattern SVC_ENV = Pattern.compile("SVC_ENV\\+?=\\(");
  private static final Pattern ASSIGNMENT = Pattern.compile("(?:^|\\s)([A-Z][A-Z0-9_]*)=");
  private static final Pattern CASE_LABEL = Pattern.compile("^\\s*([a-z]+)\\)");
  private static final Pattern ONLY_FOR = Pattern.compile("\\$svc == ([a-z]+)");

  private PlatformFiles() {
  }

  /** The repository: the first directory upwards from the working directory (a module's) that holds topology.env. */
  public static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve(Topology.RESOURCE))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root (" + Topology.RESOURCE + ")");
    }
    return p;
  }

  public static String read(String relative) {
    try {
      return Files.readString(root().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** topology.env as bin/stack reads it. */
  public static Map<String, String> topology() {
    return Topology.parse(read(Topology.RESOURCE).lines().toList());
  }

  /** compose/docker-compose.yml as a tree (merge keys such as {@code <<: *svc-env} resolved). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> compose() {
    return (Map<String, Object>) new Yaml().load(read("compose/docker-compose.yml"));
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> composeService(String service) {
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    Map<String, Object> s = (Map<String, Object>) services.get(service);
    if (s == null) {
      throw new IllegalStateException("compose/docker-compose.yml has no service " + service);
    }
    return s;
  }

  /** A compose service's environment, values as text. */
  @SuppressWarnings("unchecked")
  public static Map<String, String> composeEnvironment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    Object e = composeService(service).get("environment");
    if (e instanceof Map<?, ?> m) {
      m.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
    }
    return env;
  }

  /** A compose service's published ports, as written ({@code 127.0.0.1:8001:8001}). */
  @SuppressWarnings("unchecked")
  public static List<String> composePorts(String service) {
    Object p = composeService(service).get("ports");
    List<String> ports = new ArrayList<>();
    if (p instanceof List<?> l) {
      l.forEach(x -> ports.add(String.valueOf(x)));
    }
    return ports;
  }

  /**
   * The names bin/stack sets in a service's environment: every {@code SVC_ENV=(...)} / {@code SVC_ENV+=(...)} of
   * bin/lib/services.sh, for every service unless it sits in a {@code case} branch of another service or on a line
   * guarded by {@code [[ $svc == other ]]}.
   */
  public static Set<String> stackEnvironment(String service) {
    List<String> lines = read("bin/lib/services.sh").lines().map(PlatformFiles::withoutComment).toList();
    Set<String> names = new TreeSet<>();
    String branch = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher label = CASE_LABEL.matcher(line);
      if (label.find()) {
        branch = label.group(1);
      }
      Matcher only = ONLY_FOR.matcher(line);
      String guard = only.find() ? only.group(1) : null;
      Matcher m = SVC_ENV.matcher(line);
      if (m.find()) {
        String list = listFrom(lines, i, m.end());
        boolean applies = (branch == null || branch.equals(service)) && (guard == null || guard.equals(service));
        if (applies) {
          Matcher a = ASSIGNMENT.matcher(list);
          while (a.find()) {
            names.add(a.group(1));
          }
        }
      }
      if (line.contains(";;")) {
        branch = null;
      }
    }
    if (!names.contains("HTTP_PORT")) {
      throw new IllegalStateException("read no HTTP_PORT for " + service + " in bin/lib/services.sh: has its shape changed?");
    }
    return names;
  }

  /**
   * What bin/stack and compose give {@code def}'s service that it does not declare as a setting (process variables
   * aside), each as "bin/stack: NAME" or "compose: NAME". Empty when nothing drifted.
   */
  public static List<String> undeclared(ServiceDefinition def) {
    Set<String> declared = new TreeSet<>();
    for (Setting<?> s : new ServiceSettings(def).used(def)) {
      declared.add(s.name());
    }
    List<String> drift = new ArrayList<>();
    for (String name : stackEnvironment(def.name())) {
      if (!declared.contains(name) && !PROCESS_VARIABLES.contains(name)) {
        drift.add("bin/stack: " + name);
      }
    }
    for (String name : composeEnvironment(def.name()).keySet()) {
      if (!declared.contains(name)) {
        drift.add("compose: " + name);
      }
    }
    return drift;
  }

  // The text of the list that starts at column `from` of line `start`, up to its closing parenthesis.
  private static String listFrom(List<String> lines, int start, int from) {
    StringBuilder sb = new StringBuilder();
    int depth = 1;
    for (int i = start; i < lines.size(); i++) {
      String line = lines.get(i);
      for (int c = i == start ? from : 0; c < line.length(); c++) {
        char ch = line.charAt(c);
        if (ch == '(') {
          depth++;
        } else if (ch == ')' && --depth == 0) {
          return sb.toString();
        }
        sb.append(ch);
      }
      sb.append('\n');
    }
    throw new IllegalStateException("unclosed SVC_ENV list in bin/lib/services.sh at line " + (start + 1));
  }

  // A '#' at the start of a line or after a blank starts a comment (${#x} and $# do not occur in these lists).
  private static String withoutComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }
}

package com.paysvc.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The native stack of this machine as bin/stack runs it (bin/bench and the drills work on it): the repository,
 * the credentials of bin/stack.env (from the environment), pidfiles, service ports and metrics, and bin/stack's
 * control verbs.
 */
final class Stack {
  static final Map<String, Integer> SERVICE_PORTS = Map.of("auth", 8001, "users", 8002, "webhook", 8000,
    "floor", Bench.FLOOR_PORT);
  static final String GATEWAY = "http://127.0.0.1:8080";
  static final int PG_WRITE_PORT = 5432;
  static final int PG_READ_PORT = 5433;
  /** users' cache's Redis instance (topology.env REDIS_CACHE_PORT): what a cached read costs is measured against it. */
  static final int REDIS_CACHE_PORT = 6380;
  /** users' Redis database (topology.env USERS_REDIS_DB): its cache. */
  static final int USERS_REDIS_DB = 1;
  static final int RABBITMQ_PORT = 5672;

  final Path root;
  private final Map<String, String> env;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Stack(Path root, Map<String, String> env) {
    this.root = root;
    this.env = env;
  }

  /** The repository: PAYSVC_REPO_ROOT, else the working directory (bin/bench and bin/stack cd there). */
  static Stack fromEnvironment(Map<String, String> env) {
    String r = env.get("PAYSVC_REPO_ROOT");
    return new Stack(Path.of(r != null && !r.isEmpty() ? r : ".").toAbsolutePath().normalize(), env);
  }

  /** A variable of bin/stack.env; a clear failure when it is missing. */
  String env(String key) {
    String v = env.get(key);
    if (v == null || v.isEmpty()) {
      throw new IllegalStateException(key + " is not set (run through bin/bench or bin/stack, or: set -a; . bin/stack.env; set +a)");
    }
    return v;
  }

  Map<String, String> environment() {
    return env;
  }

  List<Integer> pids(String component) {
    return Proc.pidFile(root.resolve(".stack/run/" + component + ".pid"));
  }

  String serviceUrl(String service) {
    return "http://127.0.0.1:" + SERVICE_PORTS.get(service);
  }

  /** The CPU split's components: the services, the infrastructure, and this process. */
  Proc processes() {
    Proc p = new Proc();
    for (String s : List.of("auth", "users", "webhook")) {
      p.add(s, () -> pids(s));
    }
    p.add("postgres", () -> Proc.ofUser("postgres"));
    p.add("redis", () -> pids("redis"));
    p.add("haproxy", () -> pids("haproxy"));
    p.add("rabbitmq", () -> Proc.ofUser("rabbitmq"));
    p.add("etcd", () -> pids("etcd"));
    p.add("load generator", () -> List.of(Proc.self()));
    return p;
  }

  /** A service's Prometheus counters and gauges by "name{labels}" (its own port: the gateway does not serve them). */
  Map<String, Double> metrics(String service) {
    Map<String, Double> out = new HashMap<>();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(serviceUrl(service) + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        int sp = line.lastIndexOf(' ');
        try {
          out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        } catch (NumberFormatException e) {
          // not a sample line
        }
      }
    } catch (IOException e) {
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** What a command printed and how it ended. */
  record Ran(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  /** Runs bin/stack with {@code args} (e.g. "pg-kill", "pg1"), output captured; the caller's environment. */
  Ran stack(long timeoutSeconds, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("bin/stack").toString());
    cmd.addAll(List.of(args));
    return exec(cmd, Map.of(), null, timeoutSeconds);
  }

  /** Runs a program in the repository, {@code extraEnv} added to this process' environment, stdin from {@code input}. */
  Ran exec(List<String> cmd, Map<String, String> extraEnv, String input, long timeoutSeconds) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
      pb.environment().putAll(extraEnv);
      Process p = pb.start();
      if (input != null) {
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      // Read on another thread so that a chatty program never blocks on a full pipe.
      StringBuilder out = new StringBuilder();
      Thread reader = new Thread(() -> {
        try {
          out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
          out.append("(output lost: ").append(e.getMessage()).append(')');
        }
      });
      reader.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        reader.join(2000);
        return new Ran(124, out + "\n(timed out after " + timeoutSeconds + " s)");
      }
      reader.join();
      return new Ran(p.exitValue(), out.toString());
    } catch (IOException e) {
      return new Ran(127, "cannot run " + cmd.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Ran(130, "interrupted");
    }
  }

  /** The java that runs this process (the services' jars run on the same one). */
  String javaBin() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** First line of a file, or "" (e.g. /proc/cpuinfo facts are read elsewhere). */
  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}

package com.paysvc.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The machine's own limits, measured with the tools their makers ship, on the same data the platform serves: what
 * the platform's figures are divided by. Each returns calls per second and the command that measured it (secrets
 * never on a command line: pgbench gets PGPASSWORD from the environment; redis-benchmark, which only takes a
 * password as an argument, gets a throw-away ACL user limited to its own keys, deleted afterwards).
 */
final class Limits {
  /** One measured limit. */
  record Limit(String name, double perSecond, String command, JsonObject detail) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("per_second", perSecond).put("command", command).put("detail", detail);
    }
  }

  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
  private final Stack stack;
  private final int seconds;

  Limits(Stack stack, int seconds) {
    this.stack = stack;
    this.seconds = seconds;
  }

  /** A pgbench script of sql/bench/ and how to run it: as the service's own database role, through HAProxy. */
  record Script(String name, String file, int port, String database, String role, String passwordKey, Map<String, String> vars) { }

  /** pgbench -M prepared -c32 of a script in sql/bench/, as the service's own database role through HAProxy. */
  Limit pgbench(Script s) {
    return pgbench(s, seconds);
  }

  /**
   * Two scripts measured in turns, A B B A, each turn half the time a single run gets: this VM's speed drifts by
   * ±20 % within a minute (two runs of the same script a minute apart: 6,900 and 4,400 calls/s), so two scripts
   * measured one after the other compare the machine's moods as much as the scripts; in turns the drift weighs on
   * both alike. A full run (10 s a script) goes A B B A twice, 5 s a turn; each limit is the mean of its turns, each
   * turn in its detail. Even so one pair read 0.87 where four rounds by hand the next minute read 0.98.
   */
  List<Limit> pgbenchInTurns(Script a, Script b) {
    int turn = Math.max(1, seconds / 2);
    int rounds = seconds >= 10 ? 2 : 1;
    List<Limit> as = new ArrayList<>();
    List<Limit> bs = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      as.add(pgbench(a, turn));
      bs.add(pgbench(b, turn));
      bs.add(pgbench(b, turn));
      as.add(pgbench(a, turn));
    }
    return List.of(mean(as), mean(bs));
  }

  private static Limit mean(List<Limit> turns) {
    JsonArray each = new JsonArray();
    double sum = 0;
    for (Limit t : turns) {
      each.add(new JsonObject().put("per_second", t.perSecond()).mergeIn(t.detail()));
      sum += t.perSecond();
    }
    Limit first = turns.get(0);
    return new Limit(first.name(), sum / turns.size(), first.command() + "  (" + turns.size() + " turns, alternating)",
      new JsonObject().put("turns", each));
  }

  /**
   * A script alone at a fixed rate: {@code pgbench -R} (Poisson arrivals), each call's latency counted from its
   * scheduled start (pgbench's per-call log: time plus schedule lag), as the harness counts a request's. What the
   * database leg of a request costs in time at that rate, with nothing else of the platform running.
   */
  JsonObject pgbenchLatencyAt(Script s, int rate, int clients, int runSeconds) throws IOException {
    Path dir = Files.createTempDirectory("pgbench-log");
    try {
      PgbenchRun ran = run(s, clients, runSeconds, List.of("-R", Integer.toString(rate), "-l", "--log-prefix=" + dir.resolve("log")));
      Histogram us = new Histogram(3);
      try (Stream<Path> logs = Files.list(dir)) {
        for (Path log : logs.toList()) {
          for (String line : Files.readAllLines(log)) {
            // client, transaction, time (µs), script, epoch s, µs, schedule lag (µs)
            String[] f = line.trim().split(" ");
            if (f.length >= 7) {
              us.recordValue(Long.parseLong(f[2]) + Long.parseLong(f[6]));
            }
          }
        }
      }
      String shown = ran.command().replace(dir.resolve("log").toString(), "<dir>/log");
      return new JsonObject().put("command", shown).put("rate", rate).put("clients", clients)
        .put("per_second", ran.tps()).put("calls", us.getTotalCount())
        .put("p50_ms", us.getValueAtPercentile(50) / 1000.0).put("p90_ms", us.getValueAtPercentile(90) / 1000.0)
        .put("p99_ms", us.getValueAtPercentile(99) / 1000.0).put("max_ms", us.getMaxValue() / 1000.0);
    } finally {
      try (Stream<Path> logs = Files.list(dir)) {
        for (Path log : logs.toList()) {
          Files.deleteIfExists(log);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private Limit pgbench(Script s, int runSeconds) {
    PgbenchRun ran = run(s, 32, runSeconds, List.of());
    Matcher l = LATENCY.matcher(ran.output());
    return new Limit(s.name(), ran.tps(), ran.command(),
      new JsonObject().put("latency_avg_ms", l.find() ? Double.parseDouble(l.group(1)) : null));
  }

  /** One pgbench run's command line, output and calls per second. */
  private record PgbenchRun(String command, String output, double tps) { }

  /** pgbench -M prepared of a script, as its service's role (password from the environment); {@code extra} before it. */
  private PgbenchRun run(Script s, int clients, int runSeconds, List<String> extra) {
    List<String> cmd = new ArrayList<>(List.of("pgbench", "-h", "127.0.0.1", "-p", Integer.toString(s.port()), "-U", s.role(),
      "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(runSeconds)));
    cmd.addAll(extra);
    s.vars().forEach((k, v) -> cmd.addAll(List.of("-D", k + "=" + v)));
    cmd.addAll(List.of("-f", "sql/bench/" + s.file(), s.database()));
    Stack.Ran ran = stack.exec(cmd, Map.of("PGPASSWORD", stack.env(s.passwordKey())), null, runSeconds + 60L);
    Matcher m = TPS.matcher(ran.output());
    if (!ran.ok() || !m.find()) {
      throw new IllegalStateException("pgbench " + s.file() + " failed (exit " + ran.exit() + "):\n" + tail(ran.output()));
    }
    return new PgbenchRun(String.join(" ", cmd), ran.output(), Double.parseDouble(m.group(1)));
  }

  /** redis-benchmark -t get -c32 -P1 with values of {@code valueBytes} (SET first, so that every GET finds one). */
  Limit redisGet(int valueBytes, int requests) {
    String user = "paysvc-bench";
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(18));
    // Only its own keys (redis-benchmark's key:*), only the commands it sends, gone when this is over.
    redisCli("ACL", "SETUSER", user, "reset", "on", ">" + password, "~key:*", "resetchannels", "+get", "+set", "+select", "+ping");
    try {
      List<String> cmd = List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(Stack.REDIS_CACHE_PORT), "--user", user,
        "-a", password, "--dbnum", "15", "-t", "set,get", "-c", "32", "-P", "1", "-d", Integer.toString(valueBytes),
        "-n", Integer.toString(requests), "--csv");
      Stack.Ran ran = stack.exec(cmd, Map.of(), null, 300);
      Double rps = null;
      JsonObject detail = new JsonObject().put("value_bytes", valueBytes);
      for (String line : ran.output().split("\n")) {
        String[] f = line.replace("\"", "").split(",");
        if (f.length >= 7 && f[0].equals("GET")) {
          rps = Double.parseDouble(f[1]);
          detail.put("p50_ms", Double.parseDouble(f[4])).put("p99_ms", Double.parseDouble(f[6]));
        }
      }
      if (!ran.ok() || rps == null) {
        throw new IllegalStateException("redis-benchmark failed (exit " + ran.exit() + "):\n" + tail(ran.output()));
      }
      String shown = String.join(" ", cmd).replace(password, "***");
      return new Limit("Redis GET", rps, shown, detail);
    } finally {
      redisCli("ACL", "DELUSER", user);
      redisCli("-n", "15", "DEL", "key:__rand_int__");
    }
  }

  /**
   * Empties users' cache (its Redis database): the uncached scenario measures misses, and a user read by a run less
   * than the entries' TTL ago would answer from the cache (a bench run after a manual uncached run counted 23 % hits).
   */
  void emptyUsersCache(int db) {
    redisCli("-n", Integer.toString(db), "FLUSHDB");
  }

  /** One argon2id verification per core at once, with auth's own code and parameters (auth.jar argon2-bench). */
  Limit argon2(double runSeconds) {
    List<String> cmd = List.of(stack.javaBin(), "-jar", "auth/target/auth.jar", "argon2-bench", "--threads",
      Integer.toString(Runtime.getRuntime().availableProcessors()), "--seconds", Double.toString(runSeconds));
    Stack.Ran ran = stack.exec(cmd, Map.of(), null, (long) runSeconds + 120);
    String[] lines = ran.output().trim().split("\n");
    JsonObject r;
    try {
      r = new JsonObject(lines[lines.length - 1]);
    } catch (RuntimeException e) {
      throw new IllegalStateException("argon2-bench failed (exit " + ran.exit() + "):\n" + tail(ran.output()));
    }
    return new Limit("argon2id verifications (all cores)", r.getDouble("limit_per_second"),
      "java -jar auth/target/auth.jar argon2-bench --threads " + r.getInteger("threads"), r);
  }

  /**
   * One Redis command through redis-cli: the password from REDISCLI_AUTH and the command on stdin, so neither shows on
   * a command line.
   */
  private void redisCli(String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(Stack.REDIS_CACHE_PORT)));
    int db = 0;
    int from = 0;
    if (args[0].equals("-n")) {
      db = Integer.parseInt(args[1]);
      from = 2;
    }
    cmd.addAll(List.of("-n", Integer.toString(db)));
    String line = String.join(" ", java.util.Arrays.copyOfRange(args, from, args.length)) + "\n";
    Stack.Ran ran = stack.exec(cmd, Map.of("REDISCLI_AUTH", stack.env("REDIS_PASSWORD")), line, 30);
    if (!ran.ok() || ran.output().startsWith("ERR") || ran.output().contains("NOAUTH") || ran.output().contains("WRONGPASS")) {
      throw new IllegalStateException("redis-cli " + args[from] + " failed: " + tail(ran.output()));
    }
  }

  static String tail(String s) {
    String[] lines = s.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length));
  }
}

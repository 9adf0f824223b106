package com.paysvc.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The command line: {@code <scenario> --base-url … --rate N --duration 30s [--connections C] [--find-max] …}. */
record Options(String scenario, String baseUrl, String apiUrl, int rate, Duration duration, Duration warmup, int connections,
               int threads, boolean findMax, double maxP99Ms, double maxErrorRate, double stepFactor, int maxSteps, int refine,
               int users, int loginAccounts, double duplicates, boolean seed, Path out) {

  static final String USAGE = """
    Usage: java -jar loadtest.jar <scenario> [options]

    Scenarios (open loop: a constant arrival rate, latency measured from each request's intended send time):
      by-identifier           GET /accounts/users/by-identifier, 10 000 seeded users by all four identifier kinds
                              (+1 % unknown), cache warm (the warm-up fills it)
      by-identifier-uncached  the same, each request a seeded user not asked for before in this run (by its
                              second_login): cache misses, as long as the users cache was empty or cold
      user-detail             GET /accounts/users/{id} of the same 10 000 users
      login                   POST /auth/login of seeded accounts (argon2id: the CPU-bound one)
      webhook-ingest          POST /webhooks/2can, correctly signed notifications, unique event ids
                              (--duplicates 0.2: that share re-sends an earlier one)
      mixed                   85 % by-identifier, 10 % user-detail, 4.5 % webhook-ingest, 0.5 % login
      drill-mix               the failure drills' load: 70 % by-identifier, 15 % user-detail, 10 % webhook-ingest,
                              4 % user creation, 1 % deactivation of a user created in the run

    Options:
      --base-url URL       where the measured requests go: the gateway (default http://127.0.0.1:8080) or a
                           service's own port
      --api-url URL        the gateway, for seeding and the admin's token (default http://127.0.0.1:8080)
      --rate N             requests per second (default 500); with --find-max the first step's rate
      --duration D         measured time per run or step: 30s, 2m (default 30s)
      --warmup D           unmeasured time before it at the same rate (default 3s)
      --connections C      HTTP connections (default 32)
      --threads T          event loops of the load generator (default 2)
      --find-max           raise the rate by --step-factor (1.5) until p99 > --max-p99-ms (100) or the error
                           rate > --max-error-rate (0.01) or the achieved rate falls below 95 %: prints the
                           highest sustainable rate (at most --max-steps, 12); then --refine (2) steps
                           halve the gap between the last good and the first bad rate; a failed first
                           step is measured once more before the search steps down
      --users N            seeded users (default 100000): with e-mail, phone, second_login, 1–2 groups
      --login-accounts N   seeded accounts with a password for the login scenario (default 200)
      --duplicates F       share of re-sent notifications in webhook-ingest (default 0)
      --no-seed            do not check or create the seed data
      --out DIR            where the JSON result and the HTML report go (default loadtest-results)

    From the environment (never from the command line): ADMIN_EMAIL and ADMIN_PASSWORD (an admin, for seeding and
    reads), WEBHOOK_HMAC_SECRET (webhook-ingest, mixed). `set -a; . bin/stack.env; set +a` provides them.
    """;

  static final List<String> SCENARIOS = List.of("by-identifier", "by-identifier-uncached", "user-detail", "login",
    "webhook-ingest", "mixed", "drill-mix");

  static Options parse(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      throw new IllegalArgumentException("name a scenario first: " + String.join(", ", SCENARIOS));
    }
    String scenario = args[0];
    if (!SCENARIOS.contains(scenario)) {
      throw new IllegalArgumentException("unknown scenario " + scenario + " (one of " + String.join(", ", SCENARIOS) + ")");
    }
    Map<String, String> o = new java.util.HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String name = a.substring(2);
      if (List.of("find-max", "no-seed").contains(name)) {
        o.put(name, "true");
      } else if (i + 1 < args.length) {
        o.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException(a + " needs a value");
      }
    }
    Options opts = new Options(scenario, o.getOrDefault("base-url", "http://127.0.0.1:8080").replaceAll("/+$", ""),
      o.getOrDefault("api-url", "http://127.0.0.1:8080").replaceAll("/+$", ""),
      positive(o, "rate", 500), duration(o.getOrDefault("duration", "30s")), duration(o.getOrDefault("warmup", "3s")),
      positive(o, "connections", 32), positive(o, "threads", 2), o.containsKey("find-max"),
      number(o, "max-p99-ms", 100), number(o, "max-error-rate", 0.01), number(o, "step-factor", 1.5),
      positive(o, "max-steps", 12), nonNegative(o, "refine", 2), positive(o, "users", 100_000), positive(o, "login-accounts", 200),
      number(o, "duplicates", 0), !o.containsKey("no-seed"), Path.of(o.getOrDefault("out", "loadtest-results")));
    for (String k : o.keySet()) {
      if (!List.of("base-url", "api-url", "rate", "duration", "warmup", "connections", "threads", "find-max", "max-p99-ms",
        "max-error-rate", "step-factor", "max-steps", "refine", "users", "login-accounts", "duplicates", "no-seed", "out").contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k);
      }
    }
    if (opts.duplicates() < 0 || opts.duplicates() >= 1 || opts.stepFactor() <= 1) {
      throw new IllegalArgumentException("--duplicates must be in [0, 1) and --step-factor above 1");
    }
    return opts;
  }

  private static int positive(Map<String, String> o, String name, int dflt) {
    return whole(o, name, dflt, 1, "a positive whole number");
  }

  private static int nonNegative(Map<String, String> o, String name, int dflt) {
    return whole(o, name, dflt, 0, "a whole number >= 0");
  }

  private static int whole(Map<String, String> o, String name, int dflt, int min, String what) {
    String v = o.get(name);
    try {
      int n = v == null ? dflt : Integer.parseInt(v);
      if (n < min) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes " + what);
    }
  }

  private static double number(Map<String, String> o, String name, double dflt) {
    String v = o.get(name);
    try {
      return v == null ? dflt : Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " takes a number");
    }
  }

  static Duration duration(String v) {
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a duration is like 30s, 2m or 500ms: " + v);
    }
  }
}

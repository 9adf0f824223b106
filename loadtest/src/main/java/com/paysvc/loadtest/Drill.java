package com.paysvc.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code loadtest drill <failover|switchover|replica|redis|rabbitmq|users-instance|instances> [--ci] [--rate N]} (run by
 * {@code bin/stack drill}): a constant mixed load through the gateway ({@code drill-mix}: reads, notifications, user
 * creations and deactivations), then one failure caused with bin/stack's control verbs, then the repair, all under
 * that load. Prints one line per second while it runs and then what a user felt: errors by status for reads and for
 * writes, latency during the event against before it, the write outage and the recovery time; afterwards every
 * acknowledged write is looked up in the databases. Exit code 0 when every target of the drill was met, 3 when one
 * was missed, 1 when the drill could not run, 2 on bad usage.
 *
 * <p>A write is "bad" when it failed or took more than a second; the write outage is the time from the event to the
 * send time of the last bad write (a write sent after it succeeded within a second), the recovery time is from the
 * event to the last bad answer of any request.
 */
final class Drill {
  static final List<String> NAMES = List.of("failover", "switchover", "replica", "redis", "rabbitmq", "users-instance",
    "instances");
  private static final List<String> SERVICES = List.of("auth", "users", "webhook");
  static final Set<String> WRITES = Set.of("webhook-ingest", "user-create", "user-deactivate");
  static final long SLOW_NANOS = 1_000_000_000L;
  /** Patroni's and HAProxy's failover target of the load-test issue. */
  static final double WRITE_OUTAGE_MAX_S = 8;
  /** HAProxy's service checks (haproxy.cfg: inter 2s, fall 2): a dead instance is out of the backend after this. */
  static final double GATEWAY_CHECK_S = 4;

  static final String USAGE = """
    Usage: java -jar loadtest.jar drill <%s> [--ci] [--rate N] [--users N] [--out DIR]
    (normally through bin/stack drill, which checks the platform is up and provides the environment)

      --ci        shorter phases (correctness is the same)
      --rate N    requests per second of the drill-mix load through the gateway (default 200)
      --users N   seeded users the reads ask for (default 3000; created if missing)
      --out DIR   where the JSON result and the HTML report go (default loadtest-results)
    """.formatted(String.join("|", NAMES));

  /** Something that happened during the drill, at System.nanoTime(). */
  record Mark(long nanos, String what) {
  }

  private final String name;
  private final boolean ci;
  private final int rate;
  private final int users;
  private final Path out;
  private final Stack stack;
  private final List<Mark> marks = new CopyOnWriteArrayList<>();
  private final Queue<Results.Sample> samples = new ConcurrentLinkedQueue<>();
  private final List<String> missed = new ArrayList<>();
  private final JsonObject report = new JsonObject();
  private final long started = System.nanoTime();
  private volatile long eventAt = Long.MAX_VALUE;
  /** Drill instances: when the killed instances start again (cold JVMs), reported apart from the kill. */
  private volatile long rejoinAt = Long.MAX_VALUE;
  /** Errors sent before this are the warm-up of instances the drill itself just started (cold JVMs), not a verdict. */
  private volatile long warmUntil = 0;

  private Drill(String name, boolean ci, int rate, int users, Path out, Stack stack) {
    this.name = name;
    this.ci = ci;
    this.rate = rate;
    this.users = users;
    this.out = out;
    this.stack = stack;
  }

  static int run(String[] args, Map<String, String> env) {
    if (args.length == 0 || !NAMES.contains(args[0])) {
      System.err.print(USAGE);
      return 2;
    }
    boolean ci = false;
    int rate = 200;
    int users = 3000;
    Path out = null;
    try {
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--ci" -> ci = true;
          case "--rate" -> rate = Integer.parseInt(args[++i]);
          case "--users" -> users = Integer.parseInt(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (rate < 20 || users < 100) {
        throw new IllegalArgumentException("--rate at least 20, --users at least 100");
      }
    } catch (RuntimeException e) {
      System.err.println("drill: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    Stack stack = Stack.fromEnvironment(env);
    Drill d = new Drill(args[0], ci, rate, users, out != null ? out : stack.root.resolve("loadtest-results"), stack);
    try {
      return d.execute();
    } catch (Exception e) {
      System.err.println("drill " + args[0] + ": could not run: " + LoadTest.message(e));
      return 1;
    }
  }

  private int execute() throws Exception {
    System.out.printf("drill %s: %d req/s of drill-mix through the gateway%s%n", name, rate, ci ? " (CI-sized)" : "");
    precondition();
    Vertx vertx = LoadTest.vertx(2);
    // Two relays competing for one outbox and two consumers on one queue must still publish and apply each event once.
    EventCounter counter = name.equals("rabbitmq") || name.equals("instances") ? EventCounter.start(stack) : null;
    Instant windowStart = Instant.now();
    Results results;
    Scenario scenario;
    try {
      Api api = new Api(vertx, Stack.GATEWAY, stack.environment().get("ADMIN_EMAIL"), stack.environment().get("ADMIN_PASSWORD"));
      Options o = Options.parse(new String[] {"drill-mix", "--base-url", Stack.GATEWAY, "--rate", Integer.toString(rate),
        "--duration", "900s", "--warmup", "2s", "--connections", "128", "--users", Integer.toString(users), "--no-seed"});
      scenario = Scenarios.create(o, api, stack.environment().get("WEBHOOK_HMAC_SECRET"));
      Scenario s = scenario;
      LoadTest.await(LoadTest.onContext(vertx, () -> Seed.users(api, users).compose(v -> s.prepare())));
      OpenLoop.Control control = new OpenLoop.Control();
      Future<Results> running = LoadTest.onContext(vertx, () -> OpenLoop.run(vertx, o, s, rate, false, new Progress(), control));
      sleep(2 + (ci ? 4 : 8));
      event();
      control.stop();
      results = LoadTest.await(running);
    } finally {
      LoadTest.close(vertx);
    }
    JsonObject run = results.toJson(results.kinds());
    analyse();
    verifyWrites(scenario.acks());
    if (counter != null) {
      try (counter) {
        verifyEvents(counter, windowStart);
      }
    }
    return finish(run);
  }

  /** The cluster and platform the drill needs before it starts. */
  private void precondition() {
    require(stack.stack(180, "pg-wait-healthy"), "the PostgreSQL cluster is not healthy");
  }

  /** The failure, its repair, and a quiet phase after them, all under load. */
  private void event() throws Exception {
    long observe = ci ? 4 : 8;
    switch (name) {
      case "failover" -> {
        String leader = stack.stack(10, "pg-leader").output().trim();
        boolean sync = syncMode(leader);
        report.put("synchronous_mode", sync).put("old_primary", leader);
        mark("SIGKILL of " + leader + " (primary): Patroni and postgres", true);
        require(stack.stack(60, "pg-kill", leader), "pg-kill failed");
        Stack.Ran l = stack.stack(120, "pg-wait-leader", "60");
        require(l, "no new leader within 60 s");
        String now = l.output().trim();
        mark("Patroni: " + now + " leads, writes accepted through the write port", false);
        sleep(observe);
        long t = System.nanoTime();
        mark("pg-start " + leader, false);
        require(stack.stack(180, "pg-start", leader), "pg-start failed");
        require(stack.stack(180, "pg-wait-healthy"), "the old primary did not rejoin");
        String replica = stack.stack(10, "pg-replica").output().trim();
        double rejoin = (System.nanoTime() - t) / 1e9;
        mark(replica + " streams as replica again (" + String.format(Locale.ROOT, "%.1f", rejoin) + " s after its start)", false);
        report.put("rejoined_as_replica", replica.equals(leader)).put("rejoin_s", rejoin);
        if (!replica.equals(leader)) {
          missed.add("the old primary " + leader + " did not come back as the replica (replica: " + replica + ")");
        }
      }
      case "switchover" -> {
        mark("planned switchover from " + stack.stack(10, "pg-leader").output().trim(), true);
        require(stack.stack(240, "pg-switchover"), "pg-switchover failed");
        mark("switchover done, cluster healthy: leader " + stack.stack(10, "pg-leader").output().trim(), false);
      }
      case "replica" -> {
        String replica = stack.stack(10, "pg-replica").output().trim();
        mark("SIGKILL of " + replica + " (replica)", true);
        require(stack.stack(60, "pg-kill", replica), "pg-kill failed");
        mark("HAProxy sees " + replica + " DOWN: reads go to the primary", false);
        sleep(observe);
        mark("pg-start " + replica, false);
        require(stack.stack(180, "pg-start", replica), "pg-start failed");
        require(stack.stack(180, "pg-wait-healthy"), "the replica did not come back");
        mark("cluster healthy again", false);
      }
      case "redis" -> {
        // Both instances at once, the worst case: the cache gone (reads from Postgres) and the security state gone
        // (the guards answer reads from their revocation view, refuse writes they cannot check).
        mark("SIGKILL of both Redis instances", true);
        require(stack.stack(30, "redis-kill"), "redis-kill failed");
        require(stack.stack(30, "redis-cache-kill"), "redis-cache-kill failed");
        sleep(observe);
        mark("redis-start", false);
        require(stack.stack(60, "redis-start"), "redis-start failed");
        mark("both Redis instances answer again", false);
      }
      case "rabbitmq" -> {
        mark("rabbitmq-stop", true);
        require(stack.stack(120, "rabbitmq-stop"), "rabbitmq-stop failed");
        mark("RabbitMQ stopped", false);
        sleep(ci ? 2 : 5);
        mark("rabbitmq-start", false);
        require(stack.stack(180, "rabbitmq-start"), "rabbitmq-start failed");
        mark("RabbitMQ accepts connections again", false);
      }
      case "users-instance" -> {
        mark("instance-start users 2", false);
        require(stack.stack(180, "instance-start", "users", "2"), "the second users instance did not start");
        mark("users #2 is UP behind the gateway", false);
        sleep(ci ? 3 : 5);
        mark("SIGKILL of users #1", true);
        require(stack.stack(30, "instance-kill", "users", "1"), "instance-kill failed");
        sleep(observe);
        mark("instance-start users 1", false);
        require(stack.stack(180, "instance-start", "users", "1"), "users #1 did not start again");
        mark("users #1 ready and routed again (HAProxy ramps it up over 5 s: slowstart)", false);
        sleep(6);
        mark("instance-stop users 2", false);
        require(stack.stack(120, "instance-stop", "users", "2"), "instance-stop users 2 failed");
        mark("users #2 drained and stopped", false);
      }
      case "instances" -> {
        // As `bin/stack up --instances 2` runs it; instances this drill started are stopped again at the end.
        List<String> started = new ArrayList<>();
        for (String svc : SERVICES) {
          if (!stack.stack(10, "status").output().matches("(?s).*\\n" + svc + "2 +running.*")) {
            started.add(svc);
          }
          require(stack.stack(180, "instance-start", svc, "2"), "the second " + svc + " instance did not start");
        }
        mark("a second instance of auth, users and webhook is UP behind the gateway", false);
        // Six JVMs share two cores here; those just started answer slowly for their first seconds under load.
        sleep(ci ? 10 : 15);
        warmUntil = System.nanoTime() - 3_000_000_000L;
        mark("SIGKILL of instance 1 of auth, users and webhook", true);
        for (String svc : SERVICES) {
          require(stack.stack(30, "instance-kill", svc, "1"), "instance-kill " + svc + " failed");
        }
        sleep(observe);
        rejoinAt = System.nanoTime();
        mark("instance-start of instance 1 of each, one after the other", false);
        for (String svc : SERVICES) {
          require(stack.stack(180, "instance-start", svc, "1"), svc + " #1 did not start again");
        }
        mark("every instance 1 ready and routed again (HAProxy ramps them up over 5 s: slowstart)", false);
        sleep(6);
        for (String svc : started) {
          require(stack.stack(120, "instance-stop", svc, "2"), "instance-stop " + svc + " 2 failed");
        }
        mark("the second instances this drill started are drained and stopped", false);
      }
      default -> throw new IllegalStateException(name);
    }
    sleep(ci ? 3 : 6);
  }

  private boolean syncMode(String leader) {
    int port = leader.equals("pg2") ? 8009 : 8008;
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/config"))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body()).getBoolean("synchronous_mode", false);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read Patroni's configuration: " + e.getMessage());
    }
  }

  /** What a user felt: errors by status of reads and writes after the event, latency, outage and recovery. */
  private void analyse() {
    List<Results.Sample> all = new ArrayList<>(samples);
    long t0 = eventAt;
    Histogram beforeReads = histogram();
    Histogram beforeWrites = histogram();
    Histogram duringReads = histogram();
    Histogram duringWrites = histogram();
    Map<String, Long> readErrors = new TreeMap<>();
    Map<String, Long> writeErrors = new TreeMap<>();
    Map<String, Long> baselineErrors = new TreeMap<>();
    Map<String, Long> warmUpErrors = new TreeMap<>();
    long lastBadWrite = 0;
    long lastBadWriteAnswer = 0;
    long lastBad = 0;
    long readsAfterCheck = 0;
    long writesAfterCheck = 0;
    Map<String, Long> rejoinErrors = new TreeMap<>();
    long reads = 0;
    long writes = 0;
    for (Results.Sample s : all) {
      boolean write = WRITES.contains(s.kind());
      long latency = Math.max(1, (s.completed() - s.intended()) / 1000);
      boolean bad = s.error() || s.completed() - s.intended() > SLOW_NANOS;
      if (s.intended() < t0) {
        (write ? beforeWrites : beforeReads).recordValue(Math.min(latency, Results.MAX_MICROS));
        if (s.error()) {
          (s.intended() < warmUntil ? warmUpErrors : baselineErrors).merge(s.kind() + " " + s.outcome(), 1L, Long::sum);
        }
        continue;
      }
      (write ? duringWrites : duringReads).recordValue(Math.min(latency, Results.MAX_MICROS));
      if (write) {
        writes++;
      } else {
        reads++;
      }
      if (s.error()) {
        (write ? writeErrors : readErrors).merge(s.outcome(), 1L, Long::sum);
        if (s.intended() >= rejoinAt) {
          rejoinErrors.merge(s.kind() + " " + s.outcome(), 1L, Long::sum);
        } else if (s.intended() - t0 >= GATEWAY_CHECK_S * 1e9) {
          if (write) {
            writesAfterCheck++;
          } else {
            readsAfterCheck++;
          }
        }
      }
      if (bad) {
        lastBad = Math.max(lastBad, s.completed());
        if (write) {
          lastBadWrite = Math.max(lastBadWrite, s.intended());
          lastBadWriteAnswer = Math.max(lastBadWriteAnswer, s.completed());
        }
      }
    }
    double writeOutage = lastBadWrite == 0 ? 0 : (lastBadWrite - t0) / 1e9;
    double lastBadWriteAnswered = lastBadWriteAnswer == 0 ? 0 : (lastBadWriteAnswer - t0) / 1e9;
    double recovery = lastBad == 0 ? 0 : (lastBad - t0) / 1e9;
    long failedReads = readErrors.values().stream().mapToLong(Long::longValue).sum();
    long failedWrites = writeErrors.values().stream().mapToLong(Long::longValue).sum();
    report.put("reads_after_event", reads).put("writes_after_event", writes)
      .put("failed_reads", failedReads).put("failed_reads_by_status", new JsonObject(new java.util.HashMap<>(readErrors)))
      .put("failed_writes", failedWrites).put("failed_writes_by_status", new JsonObject(new java.util.HashMap<>(writeErrors)))
      .put("errors_before_event", new JsonObject(new java.util.HashMap<>(baselineErrors)))
      .put("errors_while_started_instances_warmed_up", new JsonObject(new java.util.HashMap<>(warmUpErrors)))
      .put("write_outage_s", writeOutage).put("last_bad_write_answered_s", lastBadWriteAnswered).put("recovery_s", recovery)
      .put("failed_reads_after_gateway_checks", readsAfterCheck)
      .put("failed_writes_after_gateway_checks", writesAfterCheck)
      .put("failed_while_killed_instances_rejoined", new JsonObject(new java.util.HashMap<>(rejoinErrors)))
      .put("latency_ms", new JsonObject()
        .put("reads_before", Results.latencyJson(beforeReads)).put("reads_after_event", Results.latencyJson(duringReads))
        .put("writes_before", Results.latencyJson(beforeWrites)).put("writes_after_event", Results.latencyJson(duringWrites)));
    if (!baselineErrors.isEmpty()) {
      missed.add("errors before the event (the platform was not healthy to begin with): " + baselineErrors);
    }
    switch (name) {
      case "failover", "switchover" -> {
        if (writeOutage > WRITE_OUTAGE_MAX_S) {
          missed.add(String.format(Locale.ROOT, "write outage %.1f s > %.0f s", writeOutage, WRITE_OUTAGE_MAX_S));
        }
      }
      case "replica", "redis" -> {
        if (failedReads > 0) {
          missed.add(failedReads + " failed reads (target 0): " + readErrors);
        }
      }
      case "users-instance" -> {
        if (readsAfterCheck > 0) {
          missed.add(readsAfterCheck + " failed reads after HAProxy's check interval (" + GATEWAY_CHECK_S + " s; target 0)");
        }
      }
      case "instances" -> {
        if (readsAfterCheck + writesAfterCheck > 0) {
          missed.add((readsAfterCheck + writesAfterCheck) + " failed requests after HAProxy's check interval ("
            + GATEWAY_CHECK_S + " s; target 0)");
        }
      }
      case "rabbitmq" -> {
        if (failedReads + failedWrites > 0) {
          missed.add((failedReads + failedWrites) + " failed requests while the broker restarted (target 0: events wait in "
            + "the outbox)");
        }
      }
      default -> {
      }
    }
  }

  /** Every acknowledged write must be in the database; in an asynchronous failover a loss is reported, not a miss. */
  private void verifyWrites(Acks acks) throws Exception {
    AckCheck check = new AckCheck(stack);
    List<String> notifications = acks.get(Acks.NOTIFICATIONS);
    List<String> created = acks.get(Acks.USERS_CREATED);
    List<String> deactivated = acks.get(Acks.USERS_DEACTIVATED);
    int lostN = check.missingNotifications(notifications).size();
    int lostU = check.missingUsers(created).size();
    int lostD = check.notDeactivated(deactivated).size();
    report.put("acknowledged", new JsonObject().put("notifications", notifications.size()).put("users_created", created.size())
      .put("users_deactivated", deactivated.size()))
      .put("acknowledged_lost", new JsonObject().put("notifications", lostN).put("users_created", lostU)
        .put("users_deactivated", lostD));
    int lost = lostN + lostU + lostD;
    boolean asyncFailover = name.equals("failover") && !report.getBoolean("synchronous_mode", false);
    if (lost > 0 && !asyncFailover) {
      missed.add(lost + " acknowledged writes lost (notifications " + lostN + ", users " + lostU + ", deactivations " + lostD + ")");
    }
  }

  /**
   * Every event written to the outboxes of users and webhook during the drill reached the counting consumer, and auth
   * applied every user.deactivated (its inbox holds it, once). Events published twice are counted and reported.
   */
  private void verifyEvents(EventCounter counter, Instant since) throws Exception {
    AckCheck check = new AckCheck(stack);
    long deadline = System.nanoTime() + 90_000_000_000L;
    List<AckCheck.Outboxed> events;
    List<String> unseen;
    List<String> notApplied;
    do {
      events = new ArrayList<>(check.outboxSince("users", "users_svc", "USERS_DB_PASSWORD", since));
      events.addAll(check.outboxSince("webhook", "webhook_svc", "WEBHOOK_DB_PASSWORD", since));
      unseen = events.stream().map(AckCheck.Outboxed::eventId).filter(id -> !counter.seen(id)).toList();
      notApplied = check.notInAuthInbox(events.stream().filter(e -> e.type().equals("user.deactivated"))
        .map(AckCheck.Outboxed::eventId).toList());
      if (unseen.isEmpty() && notApplied.isEmpty()) {
        break;
      }
      sleep(1);
    } while (System.nanoTime() < deadline);
    long unsent = events.stream().filter(e -> !e.sent()).count();
    long deactivations = events.stream().filter(e -> e.type().equals("user.deactivated")).count();
    report.put("events", new JsonObject().put("written", events.size()).put("received_distinct", counter.distinct())
      .put("lost", unseen.size()).put("still_in_outbox", unsent).put("published_twice", counter.publishedTwice())
      .put("redelivered_to_the_counter", counter.redelivered()).put("user_deactivated", deactivations)
      .put("user_deactivated_not_applied_by_auth", notApplied.size()));
    if (!unseen.isEmpty()) {
      missed.add(unseen.size() + " of " + events.size() + " events never reached the counting consumer (" + unsent
        + " still unsent in the outbox), e.g. " + unseen.get(0));
    }
    // Not a target: a batch the broker's shutdown (or a relay's death) cuts between publish and confirm is published
    // again, by design (at least once, SPEC: handlers idempotent; "batch not confirmed, will retry" in the relay's
    // log). The counter shows how many; that auth applied each deactivation once is checked below.
    if (!notApplied.isEmpty()) {
      missed.add(notApplied.size() + " user.deactivated events not applied by auth");
    }
  }

  private int finish(JsonObject run) throws Exception {
    JsonArray timeline = new JsonArray();
    for (Mark m : marks) {
      timeline.add(new JsonObject().put("t_s", (m.nanos() - started) / 1e9).put("what", m.what()));
    }
    report.put("timeline", timeline).put("targets_missed", new JsonArray(missed));
    System.out.println();
    System.out.println(summary());
    JsonArray lines = new JsonArray();
    summary().lines().forEach(lines::add);
    JsonObject result = new JsonObject().put("scenario", "drill " + name).put("command", "bin/stack drill " + name + (ci ? " --ci" : ""))
      .put("started_at", Instant.now().toString()).put("drill", report).put("summary", lines)
      .put("runs", new JsonArray().add(run));
    LoadTest.save(out, "drill-" + name, result);
    if (missed.isEmpty()) {
      System.out.println("drill " + name + ": every target met");
      return 0;
    }
    System.out.println("drill " + name + ": TARGET MISSED\n  " + String.join("\n  ", missed));
    return 3;
  }

  private String summary() {
    StringBuilder sb = new StringBuilder("drill " + name + " — what a user felt\n");
    for (Object o : report.getJsonArray("timeline")) {
      JsonObject m = (JsonObject) o;
      sb.append(String.format(Locale.ROOT, "  %6.1f s  %s%n", m.getDouble("t_s"), m.getString("what")));
    }
    JsonObject l = report.getJsonObject("latency_ms");
    sb.append(String.format(Locale.ROOT, "  reads  after the event: %d, failed %d %s; p99 %.1f ms (before %.1f), max %.0f ms%n",
      report.getLong("reads_after_event"), report.getLong("failed_reads"), report.getJsonObject("failed_reads_by_status").encode(),
      l.getJsonObject("reads_after_event").getDouble("p99_ms"), l.getJsonObject("reads_before").getDouble("p99_ms"),
      l.getJsonObject("reads_after_event").getDouble("max_ms")));
    sb.append(String.format(Locale.ROOT, "  writes after the event: %d, failed %d %s; p99 %.1f ms (before %.1f), max %.0f ms%n",
      report.getLong("writes_after_event"), report.getLong("failed_writes"), report.getJsonObject("failed_writes_by_status").encode(),
      l.getJsonObject("writes_after_event").getDouble("p99_ms"), l.getJsonObject("writes_before").getDouble("p99_ms"),
      l.getJsonObject("writes_after_event").getDouble("max_ms")));
    sb.append(String.format(Locale.ROOT, "  write outage %.1f s (writes sent until then failed or took > 1 s; the last of them "
        + "answered at %.1f s); recovery (last failed or > 1 s answer of any request) %.1f s after the event%n",
      report.getDouble("write_outage_s"), report.getDouble("last_bad_write_answered_s"), report.getDouble("recovery_s")));
    if (name.equals("users-instance") || name.equals("instances")) {
      sb.append(String.format(Locale.ROOT, "  failed after HAProxy's check interval (%.0f s): %d reads, %d writes%n",
        GATEWAY_CHECK_S, report.getLong("failed_reads_after_gateway_checks"), report.getLong("failed_writes_after_gateway_checks")));
      if (name.equals("instances")) {
        sb.append(String.format(Locale.ROOT, "  failed while the killed instances started again, cold (not a target: "
          + "what a restart under load costs on this machine): %s%n", report.getJsonObject("failed_while_killed_instances_rejoined").encode()));
        sb.append(String.format(Locale.ROOT, "  failed while the instances just started warmed up, before the 10 s settle "
          + "ahead of the kill (not a target): %s%n", report.getJsonObject("errors_while_started_instances_warmed_up").encode()));
      }
    }
    JsonObject acked = report.getJsonObject("acknowledged");
    JsonObject lost = report.getJsonObject("acknowledged_lost");
    if (acked != null) {
      sb.append(String.format(Locale.ROOT, "  acknowledged: %d notifications, %d users created, %d deactivated; lost: %d, %d, %d%s%n",
        acked.getInteger("notifications"), acked.getInteger("users_created"), acked.getInteger("users_deactivated"),
        lost.getInteger("notifications"), lost.getInteger("users_created"), lost.getInteger("users_deactivated"),
        name.equals("failover") ? " (synchronous_mode " + report.getBoolean("synchronous_mode") + ")" : ""));
    }
    JsonObject ev = report.getJsonObject("events");
    if (ev != null) {
      sb.append(String.format(Locale.ROOT, "  events: %d written, %d reached the counting consumer, lost %d, published twice %d "
          + "(own redeliveries %d); user.deactivated %d, not applied by auth %d%n", ev.getLong("written"),
        ev.getLong("received_distinct"), ev.getLong("lost"), ev.getLong("published_twice"), ev.getLong("redelivered_to_the_counter"),
        ev.getLong("user_deactivated"), ev.getLong("user_deactivated_not_applied_by_auth")));
    }
    return sb.toString();
  }

  private void mark(String what, boolean isEvent) {
    long now = System.nanoTime();
    if (isEvent) {
      eventAt = now;
    }
    marks.add(new Mark(now, what));
    System.out.printf("  %6.1f s  >> %s%n", (now - started) / 1e9, what);
  }

  private static void require(Stack.Ran ran, String what) {
    if (!ran.ok()) {
      throw new IllegalStateException(what + " (exit " + ran.exit() + "): " + Limits.tail(ran.output()));
    }
  }

  private static void sleep(long seconds) throws InterruptedException {
    Thread.sleep(seconds * 1000);
  }

  private static Histogram histogram() {
    return new Histogram(Results.MAX_MICROS, 3);
  }

  /** Keeps every request for the analysis and prints reads and writes of each second. */
  private final class Progress implements RunListener {
    private final LongAdder readsOk = new LongAdder();
    private final LongAdder readsFailed = new LongAdder();
    private final LongAdder writesOk = new LongAdder();
    private final LongAdder writesFailed = new LongAdder();
    private final SlowestInSecond slowest = new SlowestInSecond();

    @Override
    public boolean samples() {
      return true;
    }

    @Override
    public void answered(Results.Sample s) {
      samples.add(s);
      boolean write = WRITES.contains(s.kind());
      (write ? (s.error() ? writesFailed : writesOk) : (s.error() ? readsFailed : readsOk)).increment();
      slowest.max(s.completed() - s.intended());
    }

    @Override
    public void second(Results.Second s, Results results) {
      System.out.printf(Locale.ROOT, "  %6.1f s  reads %4d ok %4d failed   writes %4d ok %4d failed   p99 %7.1f ms  slowest %7.0f ms%n",
        (System.nanoTime() - started) / 1e9, readsOk.sumThenReset(), readsFailed.sumThenReset(), writesOk.sumThenReset(),
        writesFailed.sumThenReset(), s.p99Ms(), slowest.takeMax() / 1e6);
    }
  }

  /** The slowest request of the current second. */
  private static final class SlowestInSecond {
    private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();

    void max(long nanos) {
      max.accumulateAndGet(nanos, Math::max);
    }

    long takeMax() {
      return max.getAndSet(0);
    }
  }
}

package com.paysvc.testing;

import io.vertx.rabbitmq.RabbitMQClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real stack the integration tests run against (started by {@code bin/test} → {@code bin/stack infra}).
 * Credentials come from the environment ({@code bin/stack.env} exported by bin/test). A missing stack is a test
 * failure with a clear message, never a silent skip.
 */
public final class TestStack {
  private TestStack() {
  }

  /** The security state's Redis (auth's keys, every guard's reads) and users' cache's: topology.env's two instances. */
  public static final int REDIS_STATE_PORT = 6379;
  public static final int REDIS_CACHE_PORT = 6380;

  public static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the tests with bin/test (it starts the stack and exports bin/stack.env)");
    }
    return v;
  }

  public static Path repoRoot() {
    String root = System.getenv("PAYSVC_REPO_ROOT");
    Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("bin/stack"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root (bin/stack)");
    }
    return p;
  }

  /** Creates a fresh, empty database (replicated to the replica like any other) and returns its name. */
  public static String createDatabase(String prefix) {
    String name = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
    }
    return name;
  }

  public static Connection superuser(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database + "?connectTimeout=5",
      env("PG_SUPERUSER"), env("PG_SUPERUSER_PASSWORD"));
  }

  /** The first column of the first row of {@code query} (e.g. a count) on {@code database}, as the superuser on the primary. */
  public static long count(String database, String query) {
    try (Connection c = superuser(database); Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A superuser connection to the replica (HAProxy's read port; the primary answers there only when no replica is up). */
  public static Connection replicaSuperuser(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5433/" + database + "?connectTimeout=5",
      env("PG_SUPERUSER"), env("PG_SUPERUSER_PASSWORD"));
  }

  /**
   * The environment of a service under test: its own fresh database (accessed as the superuser), Redis and
   * RabbitMQ of the stack, an ephemeral HTTP port unless {@code overrides} says otherwise.
   */
  public static Map<String, String> serviceEnv(String database, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("HTTP_PORT", "0");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_INSTANCES", "1");
    env.put("PG_DATABASE", database);
    env.put("PG_USER", env("PG_SUPERUSER"));
    env.put("PG_PASSWORD", env("PG_SUPERUSER_PASSWORD"));
    env.put("REDIS_PASSWORD", System.getenv().getOrDefault("REDIS_PASSWORD", ""));
    env.put("RABBITMQ_USER", env("RABBITMQ_USER"));
    env.put("RABBITMQ_PASSWORD", env("RABBITMQ_PASSWORD"));
    env.put("SHUTDOWN_GRACE_SECONDS", "5");
    // Not the platform's exchange: test events must not land in a running stack's consumers or parking queue.
    env.put("EVENTS_EXCHANGE", "paysvc.test.events");
    // Nor the platform's queue names: a queue is declared with its exchange's dead-letter arguments, so a test's
    // "auth.events" on the test exchange kept the real auth from declaring its own (PRECONDITION_FAILED) afterwards.
    env.put("EVENTS_QUEUE", "test." + database + ".events");
    env.putAll(overrides);
    return env;
  }

  /** Runs {@code bin/stack <args>} (e.g. {@code pg-stop pg2}) and returns its trimmed stdout; fails on non-zero exit. */
  public static String stack(String... args) {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(repoRoot().resolve("bin/stack").toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("bin/stack " + String.join(" ", args) + " timed out");
      }
      String text = new String(out, StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0) {
        throw new IllegalStateException("bin/stack " + String.join(" ", args) + " exited " + p.exitValue() + ": " + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes what a test declared on the stack's RabbitMQ (its exchange, queues, dead-letter and parking places),
   * through {@code admin}, a started client; what is already gone is fine.
   */
  public static void deleteFromBroker(RabbitMQClient admin, List<String> queues, List<String> exchanges) {
    for (String q : queues) {
      Await.await(admin.queueDelete(q).<Void>mapEmpty().otherwiseEmpty());
    }
    for (String x : exchanges) {
      Await.await(admin.exchangeDelete(x).otherwiseEmpty());
    }
  }
}

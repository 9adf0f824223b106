package com.paysvc.loadtest;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Compares what the platform acknowledged with what its databases hold afterwards, on the primary (the write port),
 * as each service's own database role: a 200 for a notification, a 201 for a user, a 200 for a deactivation must
 * each be there. Plain JDBC: this runs once, after the load, on the command's own thread.
 */
final class AckCheck {
  private static final int CHUNK = 5000;
  private final Stack stack;

  AckCheck(Stack stack) {
    this.stack = stack;
  }

  /** Acknowledged notifications (event ids) that webhook.notifications does not hold. */
  List<String> missingNotifications(List<String> eventIds) throws SQLException {
    return missing("webhook", "webhook_svc", "WEBHOOK_DB_PASSWORD",
      "SELECT event_id FROM webhook.notifications WHERE event_id = ANY (?)", "text", eventIds);
  }

  /** Acknowledged new users (ids) that accounts.users does not hold. */
  List<String> missingUsers(List<String> ids) throws SQLException {
    return missing("users", "users_svc", "USERS_DB_PASSWORD",
      "SELECT id::text FROM accounts.users WHERE id = ANY (?::uuid[])", "text", ids);
  }

  /** Acknowledged deactivations whose user is still active (or gone). */
  List<String> notDeactivated(List<String> ids) throws SQLException {
    return missing("users", "users_svc", "USERS_DB_PASSWORD",
      "SELECT id::text FROM accounts.users WHERE id = ANY (?::uuid[]) AND NOT is_active", "text", ids);
  }

  /** An event a service wrote to its outbox: id, type, whether the relay has published it. */
  record Outboxed(String eventId, String type, boolean sent) {
  }

  /** The events {@code database}'s outbox holds that occurred at or after {@code since}. */
  List<Outboxed> outboxSince(String database, String role, String passwordKey, java.time.Instant since) throws SQLException {
    List<Outboxed> out = new ArrayList<>();
    try (Connection c = connect(database, role, passwordKey);
         PreparedStatement ps = c.prepareStatement(
           "SELECT event_id::text, event_type, sent_at IS NOT NULL FROM events.outbox WHERE occurred_at >= ? ORDER BY id")) {
      ps.setObject(1, java.time.OffsetDateTime.ofInstant(since, java.time.ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Outboxed(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
        }
      }
    }
    return out;
  }

  /** Event ids auth's inbox does not hold (events it has not applied). */
  List<String> notInAuthInbox(List<String> eventIds) throws SQLException {
    return missing("auth", "auth_svc", "AUTH_DB_PASSWORD", "SELECT event_id::text FROM events.inbox WHERE event_id = ANY (?::uuid[])",
      "text", eventIds);
  }

  /**
   * Creates (or replaces) the lean reference function in users' schema {@code bench}, as users_svc (the owner of the
   * database, no superuser), then waits until the replica, where pgbench calls it, has it too.
   */
  void createLeanReference(java.nio.file.Path script) throws Exception {
    String sql = java.nio.file.Files.readString(script);
    try (Connection c = connect("users", "users_svc", "USERS_DB_PASSWORD"); java.sql.Statement st = c.createStatement()) {
      st.execute(sql);
      try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
        rs.next();
        waitReplayed(rs.getString(1), 30, "the replica did not replay the lean reference function within 30 s");
      }
    }
  }

  /** Waits (up to {@code seconds}) until the replica has replayed everything the primary had written when called. */
  void waitReplicaCaughtUp(int seconds) throws Exception {
    try (Connection c = connect("users", "users_svc", "USERS_DB_PASSWORD"); java.sql.Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      waitReplayed(rs.getString(1), seconds, "the replica did not catch up with the primary within " + seconds + " s");
    }
  }

  private void waitReplayed(String lsn, int seconds, String failure) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "users_svc");
    p.setProperty("password", stack.env("USERS_DB_PASSWORD"));
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + Stack.PG_READ_PORT + "/users", p);
         PreparedStatement ps = c.prepareStatement(
           "SELECT pg_is_in_recovery() = false OR pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
      ps.setString(1, lsn);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException(failure);
  }

  Connection connect(String database, String role, String passwordKey) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", role);
    p.setProperty("password", stack.env(passwordKey));
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", "60");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + Stack.PG_WRITE_PORT + "/" + database, p);
  }

  private List<String> missing(String database, String role, String passwordKey, String sql, String type, List<String> keys)
    throws SQLException {
    if (keys.isEmpty()) {
      return List.of();
    }
    Set<String> found = new HashSet<>();
    try (Connection c = connect(database, role, passwordKey); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < keys.size(); i += CHUNK) {
        Array a = c.createArrayOf(type, keys.subList(i, Math.min(keys.size(), i + CHUNK)).toArray());
        ps.setArray(1, a);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getString(1));
          }
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (!found.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }
}

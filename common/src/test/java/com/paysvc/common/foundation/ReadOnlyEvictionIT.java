package com.paysvc.common.foundation;

import com.paysvc.common.db.Migrations;
import com.paysvc.testing.Http;
import com.paysvc.testing.TcpProxy;
import com.paysvc.testing.TestStack;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The write pool holds a connection to a node that is read-only (a demoted primary) while the write endpoint already
 * leads to the new primary. The write fails there with SQLSTATE 25006; the connection is evicted and the write
 * retried on a fresh connection, so the client sees a success — no restart, no waiting for the max lifetime.
 */
class ReadOnlyEvictionIT {

  @Test
  void connectionsToAReadOnlyNodeAreEvicted() {
    TestStack.stack("pg-wait-healthy");
    String db = TestStack.createDatabase("readonly");
    // Migrations need the real primary; the service's write pool goes through the proxy, which leads to a read-only
    // node (what a demoted primary is) from the start, so every connection the pool makes is to that node (pointing it
    // there after start left connections made meanwhile on the primary, depending on how many event loops there are).
    migrate(db);
    try (TcpProxy proxy = new TcpProxy(5433);
         RunningService svc = RunningService.startOn(db, Map.of("PG_WRITE_PORT", Integer.toString(proxy.port()),
           "MIGRATE_ON_START", "false", "READY_REQUIRES", "primary"))) {
      assertTrue(Http.get(svc.port, "/test/where-primary").json().getBoolean("in_recovery"), "pool is on the read-only node");

      // The endpoint now leads to the real primary, but the pooled connection still sits on the read-only node.
      proxy.pointAt(5432);
      Http.Response ok = Http.post(svc.port, "/test/write", "application/json", "{}");
      assertEquals(200, ok.status(), "the write is retried on a fresh connection: " + ok.body());
      assertTrue(!Http.get(svc.port, "/test/where-primary").json().getBoolean("in_recovery"), "the pool is on the primary now");
      String metrics = Http.get(svc.port, "/metrics").body();
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith("paysvc_db_readonly_evictions_total") && !l.endsWith(" 0.0")),
        "evictions counted");
    }
  }

  private static Integer migrate(String db) {
    return Migrations.apply(new Migrations.Target("127.0.0.1", 5432, db, TestStack.env("PG_SUPERUSER"),
      TestStack.env("PG_SUPERUSER_PASSWORD")), "db/testsvc", "public", "flyway_schema_history");
  }
}

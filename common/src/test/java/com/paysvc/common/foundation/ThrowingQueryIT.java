package com.paysvc.common.foundation;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import com.paysvc.common.config.Setting;
import com.paysvc.common.db.Db;
import com.paysvc.common.db.DbFactory;
import com.paysvc.testing.TestStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A query function that throws (a handler's input check inside a db call) gives its connection back: without that,
 * a few bad requests used up the primary pool and every later write waited for a connection that never came.
 */
class ThrowingQueryIT {

  @Test
  void aThrowingQueryFunctionDoesNotKeepItsConnection() {
    Vertx vertx = Vertx.vertx();
    String database = TestStack.createDatabase("throwing");
    Map<String, String> env = TestStack.serviceEnv(database, Map.of("PG_PRIMARY_POOL_SIZE", "2", "PG_REPLICA_POOL_SIZE", "2"));
    List<Setting<?>> settings = new ArrayList<>(CommonSettings.shared());
    Config config = Config.load(settings, env);
    Db db = DbFactory.create(vertx, config, database, env.get("PG_USER"), new SimpleMeterRegistry());
    try {
      for (int i = 0; i < 6; i++) {
        Future<RowSet<Row>> write = db.write(c -> {
          throw new IllegalArgumentException("bad input");
        });
        assertTrue(fails(write), "write " + i);
        assertTrue(fails(db.readPrimary(c -> {
          throw new IllegalArgumentException("bad input");
        })), "primary read " + i);
        assertTrue(fails(db.read(c -> {
          throw new IllegalArgumentException("bad input");
        })), "read " + i);
      }
      // Both connections of the pool are still there.
      assertEquals(1, await(db.write(c -> c.query("SELECT 1").execute())).iterator().next().getInteger(0));
      assertEquals(1, await(db.readPrimary(c -> c.query("SELECT 1").execute())).iterator().next().getInteger(0));
    } finally {
      await(db.close());
      await(vertx.close());
    }
  }

  private static boolean fails(Future<?> f) {
    try {
      await(f);
      return false;
    } catch (IllegalStateException e) {
      return e.getCause() instanceof IllegalArgumentException;
    }
  }
}

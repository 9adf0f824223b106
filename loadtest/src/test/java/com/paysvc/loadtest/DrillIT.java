package com.paysvc.loadtest;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CI-sized failure drills of the load-test issue, through {@code bin/stack drill} under load on the real stack:
 * the replica killed (no read may fail) and RabbitMQ restarted (no request failed, no event lost, auth applies every
 * deactivation once; a batch the broker's shutdown cut before its confirm is published again, by design, and only
 * counted). The verdict is the drill's exit code; the JSON it writes is checked as well.
 */
class DrillIT {
  @BeforeAll
  static void platformUp() {
    // The drills run against the services as bin/stack runs them (their jars), behind the gateway.
    TestStack.stack("up");
  }

  private static JsonObject drill(Path out, String name) throws Exception {
    Commands.Ran ran = Commands.run(900, "bin/stack", "drill", name, "--ci", "--out", out.toString());
    assertEquals(0, ran.exit(), "drill " + name + " missed a target or could not run:\n" + ran.output());
    try (Stream<Path> files = Files.list(out)) {
      Path json = files.filter(p -> p.getFileName().toString().startsWith("drill-" + name) && p.toString().endsWith(".json"))
        .findFirst().orElseThrow();
      return new JsonObject(Files.readString(json)).getJsonObject("drill");
    }
  }

  @Test
  void replicaKilledUnderLoad(@TempDir Path out) throws Exception {
    JsonObject d = drill(out, "replica");
    assertTrue(d.getLong("reads_after_event") > 100, "reads were sent while the replica was down");
    assertEquals(0L, d.getLong("failed_reads"), d.encodePrettily());
    assertEquals(new JsonObject().put("notifications", 0).put("users_created", 0).put("users_deactivated", 0),
      d.getJsonObject("acknowledged_lost"));
  }

  @Test
  void rabbitmqRestartedUnderLoad(@TempDir Path out) throws Exception {
    JsonObject d = drill(out, "rabbitmq");
    JsonObject events = d.getJsonObject("events");
    assertTrue(events.getLong("written") > 50, "events were written during the drill: " + events);
    assertEquals(0L, events.getLong("lost"), events.encode());
    assertEquals(0L, d.getLong("failed_reads") + d.getLong("failed_writes"), d.encodePrettily());
    assertTrue(events.getLong("user_deactivated") > 0, events.encode());
    assertEquals(0L, events.getLong("user_deactivated_not_applied_by_auth"), events.encode());
  }
}

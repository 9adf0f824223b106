package com.paysvc.common.foundation;

import com.paysvc.common.launch.ServiceLauncherAccess;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up configuration: every problem named at once, exit code 2, no stack trace, no secret echoed. */
class ConfigValidationTest {

  private record Outcome(int code, String out, String err) {
  }

  private static Outcome run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServiceLauncherAccess.run(new TestService(), args, env,
      new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void missingRequiredSettingsAreAllNamedWithExitCode2() {
    Outcome o = run(Map.of());
    assertEquals(2, o.code());
    assertTrue(o.err().contains("PG_PASSWORD is missing"), o.err());
    assertTrue(o.err().contains("RABBITMQ_PASSWORD is missing"), o.err());
    assertFalse(o.err().contains("Exception"), "no exception class names: " + o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
  }

  @Test
  void invalidValuesAreNamedButSecretsAreNeverEchoed() {
    Outcome o = run(Map.of("PG_PASSWORD", " ", "RABBITMQ_PASSWORD", "s3cret-value", "HTTP_PORT", "70000",
      "PG_PRIMARY_POOL_SIZE", "lots", "MIGRATE_ON_START", "maybe", "READY_REQUIRES", "primary,kafka"));
    assertEquals(2, o.code());
    assertTrue(o.err().contains("HTTP_PORT must be between 0 and 65535 (got '70000')"), o.err());
    assertTrue(o.err().contains("PG_PRIMARY_POOL_SIZE must be an integer (got 'lots')"), o.err());
    assertTrue(o.err().contains("MIGRATE_ON_START must be true or false"), o.err());
    assertTrue(o.err().contains("READY_REQUIRES names an unknown dependency 'kafka'"), o.err());
    assertTrue(o.err().contains("PG_PASSWORD must not be empty"), o.err());
    assertFalse(o.err().contains("s3cret-value"), o.err());
  }

  @Test
  void helpExplainsEverySettingWithoutConfiguration() {
    Outcome o = run(Map.of(), "--help");
    assertEquals(0, o.code());
    for (String name : new String[] {"HTTP_PORT", "PG_WRITE_HOST", "PG_READ_PORT", "PG_PASSWORD", "REDIS_HOST",
      "RABBITMQ_PASSWORD", "SHUTDOWN_GRACE_SECONDS", "MIGRATE_ON_START", "READY_REQUIRES"}) {
      assertTrue(o.out().contains(name), name + " missing from --help");
    }
    assertTrue(o.out().contains("migrate"), o.out());
  }

  @Test
  void unknownCommandIsAUsageError() {
    Outcome o = run(Map.of(), "frobnicate");
    assertEquals(2, o.code());
    assertTrue(o.err().contains("unknown command 'frobnicate'"), o.err());
  }
}

package com.paysvc.webhook.it;

import com.paysvc.testing.TestStack;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar webhook.jar sign}: the headers 2can would send, from nothing but the secret and the body. */
class SignCommandIT {
  record Run(int code, String out) {
  }

  Run sign(Map<String, String> env, byte[] stdin, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
      TestStack.repoRoot().resolve("webhook/target/webhook.jar").toString(), "sign"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(env);
    Process proc = pb.start();
    try (OutputStream in = proc.getOutputStream()) {
      in.write(stdin);
    }
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(proc.waitFor(60, TimeUnit.SECONDS));
    return new Run(proc.exitValue(), out);
  }

  @Test
  void printsTheHeadersWithoutTheServicesEnvironment() throws Exception {
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    // No database, broker or other setting in the environment: only the secret.
    Run r = sign(Map.of("S", "0123456789abcdef0123456789abcdef"), body, "--secret-env", "S", "--timestamp", "1700000000");
    assertEquals(0, r.code(), r.out());
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
    assertEquals("X-Timestamp: 1700000000\nX-Signature: f05f2539e3ae1c49aec5f8cfdad75ef6b06480b133973ffbb7ec9e18827af177\n", r.out());
    assertFalse(r.out().contains("0123456789abcdef0123456789abcdef"), "the secret is not printed");
    Run now = sign(Map.of("S", "0123456789abcdef0123456789abcdef"), body, "--secret-env", "S");
    assertEquals(0, now.code(), now.out());
    long ts = Long.parseLong(now.out().lines().findFirst().orElseThrow().replace("X-Timestamp: ", ""));
    assertTrue(Math.abs(ts - System.currentTimeMillis() / 1000) < 60);
  }

  @Test
  void badUsageIsExit2() throws Exception {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    assertEquals(2, sign(Map.of(), body, "--secret-env", "NOPE").code());
    assertEquals(2, sign(Map.of("S", "x"), body).code());
    assertEquals(2, sign(Map.of("S", "x"), body, "--secret-env", "S", "--timestamp", "yesterday").code());
    assertEquals(2, sign(Map.of("S", "x"), body, "--bogus").code());
  }
}

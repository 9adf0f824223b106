package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.paysvc.auth.it.Platform.claimsOf;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar auth.jar bootstrap-admin}, as bin/stack runs it: the first admin, idempotently. */
class BootstrapAdminIT extends PlatformIT {

  record Run(int code, String output) {
  }

  Run bootstrap(String stdin, String... args) throws Exception {
    Path jar = TestStack.repoRoot().resolve("auth/target/auth.jar");
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(),
      "bootstrap-admin"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().putAll(p.authEnv);
    Process proc = pb.start();
    try (OutputStream in = proc.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "bootstrap-admin hangs: " + out);
    return new Run(proc.exitValue(), out);
  }

  @Test
  void createsTheFirstAdminOnceAndKeepsItsPassword() throws Exception {
    assertTrue(Files.isRegularFile(TestStack.repoRoot().resolve("auth/target/auth.jar")));
    String email = "root." + UUID.randomUUID().toString().substring(0, 8) + "@paysvc.local";
    String password = "first-admin-" + UUID.randomUUID();
    Run first = bootstrap(password + "\n", "--email", email, "--password-stdin");
    assertEquals(0, first.code(), first.output());
    assertTrue(first.output().contains(email + " (user "), first.output());
    assertTrue(first.output().contains("created, password set"), first.output());
    assertFalse(first.output().contains(password), "the password is never printed");

    JsonObject pair = login(email, password);
    String access = pair.getString("access_token");
    assertEquals(new JsonArray().add("admin"), claimsOf(access).getJsonArray("roles"));
    // A real admin: may put someone into the admin group.
    Http.Response created = p.usersCall("POST", "/accounts/users", new JsonObject().put("groups", new JsonArray().add("admin")), access);
    assertEquals(201, created.status(), created.body());

    Run again = bootstrap("another-password-123\n", "--email", email, "--password-stdin");
    assertEquals(0, again.code(), again.output());
    assertTrue(again.output().contains("already present, password kept"), again.output());
    assertEquals(200, loginStatus(email, password));
    assertEquals(401, loginStatus(email, "another-password-123"));

    Run reset = bootstrap("another-password-123\n", "--email", email, "--password-stdin", "--reset-password");
    assertEquals(0, reset.code(), reset.output());
    assertTrue(reset.output().contains("password reset"), reset.output());
    assertEquals(200, loginStatus(email, "another-password-123"));
    // A reset ends the admin's sessions.
    assertEquals(401, p.post("/auth/refresh", new JsonObject().put("refresh_token", pair.getString("refresh_token"))).status());
  }

  @Test
  void anExistingNonAdminIsPromotedOnlyOnRequestAndThenLosesItsOldPassword() throws Exception {
    // Anyone may sign up with the address the operator means to bootstrap, before the operator does.
    Platform.Person squatter = person();
    String id = p.register(squatter);
    JsonObject squatterSession = login(squatter.email(), squatter.password());
    Run refused = bootstrap("operators-password-1\n", "--email", squatter.email(), "--password-stdin");
    assertEquals(1, refused.code(), refused.output());
    assertTrue(refused.output().contains("not an admin"), refused.output());
    assertEquals(new JsonArray(), claimsOf(login(squatter.email(), squatter.password()).getString("access_token"))
      .getJsonArray("roles"), "still a plain user");

    Run promoted = bootstrap("operators-password-1\n", "--email", squatter.email(), "--password-stdin", "--promote-existing");
    assertEquals(0, promoted.code(), promoted.output());
    assertTrue(promoted.output().contains("added to group admin, password reset"), promoted.output());
    assertEquals(401, loginStatus(squatter.email(), squatter.password()), "the old password is gone");
    assertEquals(401, p.post("/auth/refresh", new JsonObject().put("refresh_token", squatterSession.getString("refresh_token")))
      .status(), "and its sessions");
    assertEquals(new JsonArray().add("admin"),
      claimsOf(login(squatter.email(), "operators-password-1").getString("access_token")).getJsonArray("roles"));
    assertEquals(id, p.lookup(squatter.email(), false).json().getString("id"));
  }

  @Test
  void badUsageIsExit2() throws Exception {
    assertEquals(2, bootstrap("", "--email", "x@y.z").code());
    assertEquals(2, bootstrap("short\n", "--email", "x@y.z", "--password-stdin").code());
    assertEquals(2, bootstrap("long-enough-password\n", "--password-stdin").code());
    assertEquals(2, bootstrap("long-enough-password\n", "--email", "x@y.z", "--password-stdin", "--bogus").code());
  }

  private JsonObject login(String email, String password) {
    Http.Response r = p.post("/auth/login", new JsonObject().put("identifier", email).put("password", password), null, randomIp());
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private int loginStatus(String email, String password) {
    return p.post("/auth/login", new JsonObject().put("identifier", email).put("password", password), null, randomIp()).status();
  }
}

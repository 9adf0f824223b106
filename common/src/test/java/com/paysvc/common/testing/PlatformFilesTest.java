package com.paysvc.common.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reader of bin/lib/services.sh sees what bin/stack really gives each service (the drift tests rely on it). */
class PlatformFilesTest {

  @Test
  void readsTheCommonListTheCaseBranchesAndTheGuardedLines() {
    Set<String> auth = PlatformFiles.stackEnvironment("auth");
    Set<String> users = PlatformFiles.stackEnvironment("users");
    Set<String> webhook = PlatformFiles.stackEnvironment("webhook");

    for (Set<String> env : java.util.List.of(auth, users, webhook)) {
      assertTrue(env.containsAll(Set.of("HTTP_HOST", "HTTP_PORT", "PG_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD",
        "EVENTS_DECLARE_SHARED", "HOME", "JAVA_HOME")), env.toString());
    }
    assertTrue(auth.containsAll(Set.of("SERVICE_CLIENTS", "JWT_SIGNING_KEY", "USERS_URL")), auth.toString());
    assertFalse(auth.contains("JWKS_URL"), auth.toString());
    assertTrue(users.containsAll(Set.of("PG_READ_PORT", "REDIS_DB")) && auth.contains("REDIS_DB"), users + " " + auth);
    assertFalse(auth.contains("PG_READ_PORT") || webhook.contains("PG_READ_PORT") || webhook.contains("REDIS_DB"),
      auth + " " + webhook);
    assertTrue(users.containsAll(Set.of("JWKS_URL", "USERS_UPLOADS_DIR")), users.toString());
    assertFalse(users.contains("SERVICE_CLIENTS") || webhook.contains("USERS_UPLOADS_DIR"));
    assertTrue(webhook.containsAll(Set.of("WEBHOOK_HMAC_SECRET", "AUTH_URL", "USERS_URL", "JWKS_URL")), webhook.toString());
  }

  @Test
  void readsComposeWithItsSharedBlock() {
    assertTrue(PlatformFiles.composeEnvironment("users").containsKey("PG_WRITE_HOST"));
    assertTrue(PlatformFiles.composeEnvironment("webhook").containsKey("WEBHOOK_HMAC_SECRET"));
  }
}

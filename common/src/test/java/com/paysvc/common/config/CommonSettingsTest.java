package com.paysvc.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommonSettingsTest {

  /** Only the secrets are required: every default must pass its own parser (REDIS_USER's once did not). */
  @Test
  void everyDefaultIsValidWhenOnlyTheSecretsAreSet() {
    Config config = Config.load(CommonSettings.shared(), Map.of("PG_PASSWORD", "p", "RABBITMQ_PASSWORD", "r"));

    assertEquals("", config.get(CommonSettings.REDIS_USER));
    assertEquals("", config.get(CommonSettings.REDIS_PASSWORD));
    assertEquals("127.0.0.1", config.get(CommonSettings.HTTP_HOST));
  }

  @Test
  void aGivenRedisUserIsKept() {
    Config config = Config.load(CommonSettings.shared(),
      Map.of("PG_PASSWORD", "p", "RABBITMQ_PASSWORD", "r", "REDIS_USER", "users_svc"));

    assertEquals("users_svc", config.get(CommonSettings.REDIS_USER));
  }

  @Test
  void aMissingSecretIsRefused() {
    assertThrows(RuntimeException.class, () -> Config.load(CommonSettings.shared(), Map.of("PG_PASSWORD", "p")));
  }
}

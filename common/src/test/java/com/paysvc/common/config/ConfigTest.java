package com.paysvc.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static final Setting<Integer> REDIS_DB = Setting.integer("REDIS_DB", 0, 0, 15, "db");
  private static final Setting<String> LOGIN_MAX_FAILURES = Setting.string("LOGIN_MAX_FAILURES", "5", "n");
  private static final Setting<String> SERVICE_CLIENT_SECRET = Setting.optionalSecret("SERVICE_CLIENT_SECRET", "s");

  @Test
  void namesVariablesThatLookLikeThePlatformsButAreNotDeclared() {
    List<String> unknown = Config.undeclared(List.of(REDIS_DB, LOGIN_MAX_FAILURES), List.of(SERVICE_CLIENT_SECRET),
      List.of("REDIS_DB", "REDIS_DBB", "LOGIN_MAX_FAILRES", "SERVICE_CLIENT_SECRET", "PATH", "HOME", "JAVA_HOME",
        "HOSTNAME", "LOGIN"));

    assertEquals(List.of("LOGIN_MAX_FAILRES", "REDIS_DBB", "SERVICE_CLIENT_SECRET"), unknown);
  }

  @Test
  void nothingToSayWhenEverythingIsDeclared() {
    assertEquals(List.of(), Config.undeclared(List.of(REDIS_DB), List.of(), List.of("REDIS_DB", "PATH")));
  }

  @Test
  void logLevelsAreCheckedInAnyCase() {
    Map<String, String> env = Map.of("PG_PASSWORD", "p", "RABBITMQ_PASSWORD", "r", "LOG_LEVEL", "debug");
    assertEquals("debug", Config.load(CommonSettings.shared(), env).get(CommonSettings.LOG_LEVEL));
    assertEquals("INFO", Config.load(CommonSettings.shared(), env).get(CommonSettings.LOG_LEVEL_ACCESS));
    assertThrows(ConfigException.class, () -> Config.load(CommonSettings.shared(),
      Map.of("PG_PASSWORD", "p", "RABBITMQ_PASSWORD", "r", "LOG_LEVEL", "verbose")));
  }
}

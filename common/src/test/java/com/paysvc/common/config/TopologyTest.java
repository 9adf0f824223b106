package com.paysvc.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.paysvc.common.testing.PlatformFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * topology.env is the one definition of ports, gateway prefixes and Redis databases: bin/stack and the services read
 * it; compose/docker-compose.yml and haproxy.cfg spell the values out and must agree with it.
 */
class TopologyTest {
  private final Map<String, String> topology = PlatformFiles.topology();

  private String t(String key) {
    String v = topology.get(key);
    assertTrue(v != null, "topology.env has no " + key);
    return v;
  }

  @Test
  void theJarCarriesTheRepositorysTopology() {
    assertEquals(topology, Topology.all());
    assertEquals(new Topology.Service(Integer.parseInt(t("USERS_PORT")), t("USERS_PREFIX"),
      Integer.parseInt(t("USERS_REDIS_DB"))), Topology.service("users"));
  }

  @Test
  void theSettingsDefaultsComeFromIt() {
    assertEquals(t("PG_WRITE_PORT"), CommonSettings.PG_WRITE_PORT.defaultValue());
    assertEquals(t("PG_READ_PORT"), CommonSettings.PG_READ_PORT.defaultValue());
    // Every guard reads auth's security state from the state instance, whatever the service's own Redis is.
    assertEquals(t("REDIS_PORT"), com.paysvc.common.security.GuardSettings.AUTH_REDIS_PORT.defaultValue());
    assertEquals(t("REDIS_PORT"), CommonSettings.redisPort(Topology.integer("REDIS_PORT")).defaultValue());
    assertEquals(t("RABBITMQ_PORT"), CommonSettings.RABBITMQ_PORT.defaultValue());
  }

  @Test
  void composeAgreesWithIt() {
    List<String> wrong = new ArrayList<>();
    for (String svc : PlatformFiles.SERVICES) {
      String up = svc.toUpperCase(Locale.ROOT);
      Map<String, String> env = PlatformFiles.composeEnvironment(svc);
      expect(wrong, svc + " HTTP_PORT", t(up + "_PORT"), env.get("HTTP_PORT"));
      // Only the services that declare Redis / the replica get REDIS_DB / PG_READ_PORT (SettingsDriftTest holds that).
      expectIfSet(wrong, svc + " REDIS_DB", t(up + "_REDIS_DB"), env.get("REDIS_DB"));
      expect(wrong, svc + " PG_WRITE_PORT", t("PG_WRITE_PORT"), env.get("PG_WRITE_PORT"));
      expectIfSet(wrong, svc + " PG_READ_PORT", t("PG_READ_PORT"), env.get("PG_READ_PORT"));
      // A service's own Redis: the cache's instance for users, the security state's for auth (webhook has none); every
      // guard reads the security state's.
      expectIfSet(wrong, svc + " REDIS_PORT", t(svc.equals("users") ? "REDIS_CACHE_PORT" : "REDIS_PORT"), env.get("REDIS_PORT"));
      expectIfSet(wrong, svc + " AUTH_REDIS_PORT", t("REDIS_PORT"), env.get("AUTH_REDIS_PORT"));
      expect(wrong, svc + " RABBITMQ_PORT", t("RABBITMQ_PORT"), env.get("RABBITMQ_PORT"));
      // Peers are called by their container names, on their ports.
      expectIfSet(wrong, svc + " AUTH_URL", "http://auth:" + t("AUTH_PORT"), env.get("AUTH_URL"));
      expectIfSet(wrong, svc + " USERS_URL", "http://users:" + t("USERS_PORT"), env.get("USERS_URL"));
      expectIfSet(wrong, svc + " JWKS_URL", "http://auth:" + t("AUTH_PORT") + t("AUTH_PREFIX") + "/.well-known/jwks.json",
        env.get("JWKS_URL"));
      expectPublished(wrong, svc, t(up + "_PORT"));
      expect(wrong, "haproxy " + up + "_ADDR", svc + ":" + t(up + "_PORT"),
        PlatformFiles.composeEnvironment("haproxy").get(up + "_ADDR"));
    }
    for (String key : List.of("PG_WRITE_PORT", "PG_READ_PORT", "GATEWAY_PORT", "STATS_PORT")) {
      expectPublished(wrong, "haproxy", t(key));
    }
    expectPublished(wrong, "redis", t("REDIS_PORT"));
    expectPublished(wrong, "redis-cache", t("REDIS_CACHE_PORT"));
    expectPublished(wrong, "rabbitmq", t("RABBITMQ_PORT"));
    expectPublished(wrong, "rabbitmq", t("RABBITMQ_MGMT_PORT"));
    expect(wrong, "db-init PGPORT", t("PG_WRITE_PORT"), PlatformFiles.composeEnvironment("db-init").get("PGPORT"));
    expect(wrong, "rabbitmq-init RABBITMQ_API", "http://rabbitmq:" + t("RABBITMQ_MGMT_PORT"),
      PlatformFiles.composeEnvironment("rabbitmq-init").get("RABBITMQ_API"));
    assertEquals(List.of(), wrong, "compose/docker-compose.yml disagrees with topology.env");
  }

  @Test
  void haproxyCfgAgreesWithIt() {
    String cfg = PlatformFiles.read("haproxy.cfg");
    List<String> wrong = new ArrayList<>();
    Map<String, String> binds = Map.of("pg_write", "PG_WRITE_PORT", "pg_read", "PG_READ_PORT", "gateway", "GATEWAY_PORT",
      "stats", "STATS_PORT");
    binds.forEach((section, key) -> expect(wrong, "bind of " + section, t(key), bindPort(cfg, section)));
    for (String node : List.of("PG1", "PG2")) {
      expectAll(wrong, cfg, "\\$\\{" + node + "_ADDR-127\\.0\\.0\\.1:(\\d+)\\}", t(node + "_PORT"));
      expectAll(wrong, cfg, "\\$\\{" + node + "_CHECK_PORT-(\\d+)\\}", t(node + "_REST_PORT"));
    }
    List<String> prefixes = new ArrayList<>();
    for (String svc : PlatformFiles.SERVICES) {
      String up = svc.toUpperCase(Locale.ROOT);
      String prefix = t(up + "_PREFIX");
      prefixes.add(prefix.substring(1));
      expectAll(wrong, cfg, "\\$\\{" + up + "_ADDR-127\\.0\\.0\\.1:(\\d+)\\}", t(up + "_PORT"));
      expectAll(wrong, cfg, "(?m)^\\s*acl is_" + svc + "\\s+path\\s+(\\S+)\\s*$", prefix);
      expectAll(wrong, cfg, "(?m)^\\s*acl is_" + svc + "\\s+path_beg\\s+(\\S+)\\s*$", prefix + "/");
    }
    // The gateway's source address natively (auth trusts X-Forwarded-For from it only; bin/stack sets both from here).
    expectAll(wrong, cfg, "source \"\\$\\{HAPROXY_SOURCE-([0-9.]+)\\}\"", t("GATEWAY_SOURCE_ADDR"));
    expectAll(wrong, cfg, "acl is_metrics\\s+path -m reg \\^/\\(([^)]*)\\)/metrics", String.join("|", prefixes));
    assertEquals(List.of(), wrong, "haproxy.cfg disagrees with topology.env");
  }

  private static void expect(List<String> wrong, String what, String want, String got) {
    if (!want.equals(got)) {
      wrong.add(what + ": " + got + ", topology.env says " + want);
    }
  }

  private static void expectIfSet(List<String> wrong, String what, String want, String got) {
    if (got != null) {
      expect(wrong, what, want, got);
    }
  }

  private static void expectPublished(List<String> wrong, String service, String port) {
    String mapping = "127.0.0.1:" + port + ":" + port;
    if (!PlatformFiles.composePorts(service).contains(mapping)) {
      wrong.add(service + " does not publish " + mapping + " (has " + PlatformFiles.composePorts(service) + ")");
    }
  }

  // Every match of `regex` (group 1) must be `want`, and there must be at least one.
  private static void expectAll(List<String> wrong, String text, String regex, String want) {
    Matcher m = Pattern.compile(regex).matcher(text);
    boolean any = false;
    while (m.find()) {
      any = true;
      expect(wrong, regex, want, m.group(1));
    }
    if (!any) {
      wrong.add("no match of " + regex);
    }
  }

  // The port of the bind line in `listen <name>` / `frontend <name>`.
  private static String bindPort(String cfg, String section) {
    Matcher m = Pattern.compile("(?ms)^(?:listen|frontend)\\s+" + section + "\\s*$(.*?)^\\s*bind\\s+\"[^\"]*:(\\d+)\"")
      .matcher(cfg);
    assertTrue(m.find(), "haproxy.cfg has no bind in " + section);
    return m.group(2);
  }
}

package com.paysvc.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Another service of the platform, run from its fat jar as its own process ({@code java -jar users/target/users.jar}),
 * for tests of a service that calls it: services never share code, so they meet over HTTP as in production. The
 * reactor builds the jars before the integration tests of later modules run. Output goes to
 * {@code target/<service>-<port>.log} of the calling module.
 */
public final class ServiceProcess implements AutoCloseable {
  private final String service;
  private final Process process;
  private final int port;
  private final Path log;

  private ServiceProcess(String service, Process process, int port, Path log) {
    this.service = service;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** A free TCP port on loopback (for a process whose port must be known before it starts). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code service}'s jar on {@code port} with {@code env} (added to PATH/HOME/JAVA_HOME) and waits until it is live. */
  public static ServiceProcess start(String service, int port, Map<String, String> env) {
    return start(service, TestStack.repoRoot().resolve(service).resolve("target").resolve(service + ".jar"), port, env);
  }

  /**
   * The module under test as a process: the jar its own build just packaged ({@code target/<service>.jar} under the
   * working directory, the module's, as failsafe runs it), which may be another checkout than the stack's
   * repository root (a worktree).
   */
  public static ServiceProcess startOwn(String service, int port, Map<String, String> env) {
    return start(service, Path.of("target", service + ".jar").toAbsolutePath(), port, env);
  }

  /** Starts {@code jar} as {@code service} on {@code port} with {@code env} and waits until it is live. */
  public static ServiceProcess start(String service, Path jar, int port, Map<String, String> env) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it first (mvn -B verify builds every module in order)");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> penv = pb.environment();
    Map<String, String> keep = new HashMap<>();
    for (String k : List.of("PATH", "HOME", "JAVA_HOME")) {
      if (System.getenv(k) != null) {
        keep.put(k, System.getenv(k));
      }
    }
    penv.clear();
    penv.putAll(keep);
    penv.putAll(env);
    penv.put("HTTP_PORT", Integer.toString(port));
    penv.putIfAbsent("HTTP_HOST", "127.0.0.1");
    Path log = Path.of("target", service + "-" + port + ".log").toAbsolutePath();
    try {
      Files.createDirectories(log.getParent());
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      ServiceProcess p = new ServiceProcess(service, pb.start(), port, log);
      p.awaitLive();
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + service + ": " + e, e);
    }
  }

  private void awaitLive() {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(service + " exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        if (Http.get(port, "/health/live").status() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      sleep(200);
    }
    close();
    throw new IllegalStateException(service + " did not come up within 60 s:\n" + tail());
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The last lines of the process' output (for failure messages). */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL: the process dies at once, nothing of its memory is saved (a crash). */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(service + " survived SIGKILL for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM (graceful drain), then SIGKILL after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

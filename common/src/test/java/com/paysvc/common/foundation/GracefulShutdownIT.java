package com.paysvc.common.foundation;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM to a real service process: the in-flight request completes, then the process exits 0. */
class GracefulShutdownIT {

  @Test
  void sigtermFinishesInFlightRequestsAndExitsZero() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String db = TestStack.createDatabase("shutdown");
    Map<String, String> env = TestStack.serviceEnv(db, Map.of("HTTP_PORT", Integer.toString(port), "READY_REQUIRES", "primary"));
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
      TestService.class.getName()));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(new File("target/graceful-shutdown-service.log"));
    Process process = pb.start();
    try {
      int p = port;
      assertTrue(eventually(60_000, () -> Http.get(p, "/health/ready").status() == 200), "service ready");

      CompletableFuture<HttpResponse<String>> inFlight = Http.client().sendAsync(
        HttpRequest.newBuilder(Http.uri(port, "/test/slow")).build(), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(300);
      process.destroy(); // SIGTERM

      HttpResponse<String> response = inFlight.get(20, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(response.body().contains("\"slow\":true"), response.body());
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "process exits");
      assertEquals(0, process.exitValue(), "exit code after SIGTERM");
      assertThrows(IllegalStateException.class, () -> Http.get(p, "/health/live"), "no longer accepting");
    } finally {
      process.destroyForcibly();
    }
  }
}

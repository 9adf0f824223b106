package com.paysvc.loadtest;

import com.paysvc.testing.TestStack;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one of the repository's commands (bin/bench, bin/stack drill) as a user would, echoing its output to the log. */
final class Commands {
  record Ran(int exit, String output) {
  }

  private Commands() {
  }

  static Ran run(long timeoutSeconds, String... cmd) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(cmd));
    command.set(0, TestStack.repoRoot().resolve(cmd[0]).toString());
    Process p = new ProcessBuilder(command).directory(TestStack.repoRoot().toFile()).redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          System.out.println("  | " + line);
          out.append(line).append('\n');
        }
      } catch (java.io.IOException e) {
        out.append("(output lost: ").append(e.getMessage()).append(")\n");
      }
    });
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      reader.join(2000);
      return new Ran(124, out + "(timed out after " + timeoutSeconds + " s)");
    }
    reader.join();
    return new Ran(p.exitValue(), out.toString());
  }
}

package com.paysvc.common.launch;

import java.io.PrintStream;
import java.util.Map;

/** Test access to the launcher's command handling without exiting the JVM. */
public final class ServiceLauncherAccess {
  private ServiceLauncherAccess() {
  }

  public static int run(ServiceDefinition def, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return ServiceLauncher.run(def, args, env, out, err);
  }
}

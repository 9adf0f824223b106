package com.paysvc.common.foundation;

import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.common.testing.TestStack;

import java.util.HashMap;
import java.util.Map;

/** The test service started in-process on its own fresh database. */
final class RunningService implements AutoCloseable {
  final ServiceLauncher launcher;
  final int port;

  private RunningService(ServiceLauncher launcher) {
    this.launcher = launcher;
    this.port = launcher.context().httpPort();
  }

  static RunningService start(String dbPrefix, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(overrides);
    String db = TestStack.createDatabase(dbPrefix);
    return new RunningService(TestStack.await(ServiceLauncher.startForTest(new TestService(), TestStack.serviceEnv(db, env))));
  }

  @Override
  public void close() {
    launcher.stop().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
  }
}

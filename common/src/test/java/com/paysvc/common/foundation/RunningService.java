package com.paysvc.common.foundation;

import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.testing.TestStack;

import java.util.HashMap;
import java.util.Map;

import static com.paysvc.testing.Await.await;

/** The test service started in-process on its own fresh database. */
final class RunningService implements AutoCloseable {
  final ServiceLauncher launcher;
  final int port;

  private RunningService(ServiceLauncher launcher) {
    this.launcher = launcher;
    this.port = launcher.context().httpPort();
  }

  static RunningService start(String dbPrefix, Map<String, String> overrides) {
    return startOn(TestStack.createDatabase(dbPrefix), overrides);
  }

  static RunningService startOn(String db, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(overrides);
    return new RunningService(await(ServiceLauncher.startForTest(new TestService(), TestStack.serviceEnv(db, env))));
  }

  @Override
  public void close() {
    launcher.stop().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
  }
}

package com.paysvc.auth.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

/** One {@link Platform} (auth + users on fresh databases) per test class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PlatformIT {
  protected Platform p;

  /** auth settings of this class, on top of the defaults. */
  protected Map<String, String> authSettings() {
    return Map.of();
  }

  @BeforeAll
  void startPlatform() {
    p = Platform.start(authSettings());
  }

  @AfterAll
  void stopPlatform() {
    if (p != null) {
      p.close();
    }
  }
}

package com.paysvc.auth.it;

import com.paysvc.testing.OnePerClass;

/** One {@link Platform} (auth + users on fresh databases) per test class; its {@link #settings()} are auth's. */
abstract class PlatformIT extends OnePerClass<Platform> {
  PlatformIT() {
    super(Platform::start);
  }
}

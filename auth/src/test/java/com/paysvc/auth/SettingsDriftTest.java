package com.paysvc.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.paysvc.common.testing.PlatformFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bin/stack and compose pass auth only variables it declares as settings (a unit test: it reads the files). */
class SettingsDriftTest {

  @Test
  void everyVariableBinStackAndComposePassIsASettingOfAuth() {
    assertEquals(List.of(), PlatformFiles.undeclared(new AuthDefinition()),
      "passed to auth but not declared (declare it as a Setting, or stop passing it)");
  }
}

package com.paysvc.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.paysvc.common.testing.PlatformFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bin/stack and compose pass users only variables it declares as settings (a unit test: it reads the files). */
class SettingsDriftTest {

  @Test
  void everyVariableBinStackAndComposePassIsASettingOfUsers() {
    assertEquals(List.of(), PlatformFiles.undeclared(new UsersDefinition()),
      "passed to users but not declared (declare it as a Setting, or stop passing it)");
  }
}

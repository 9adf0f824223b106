package com.paysvc.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.paysvc.common.testing.PlatformFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bin/stack and compose pass webhook only variables it declares as settings (a unit test: it reads the files). */
class SettingsDriftTest {

  @Test
  void everyVariableBinStackAndComposePassIsASettingOfWebhook() {
    assertEquals(List.of(), PlatformFiles.undeclared(new WebhookDefinition()),
      "passed to webhook but not declared (declare it as a Setting, or stop passing it)");
  }
}

package com.paysvc.webhook.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

/** One {@link WebhookPlatform} per test class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebhookIT {
  protected WebhookPlatform p;

  protected Map<String, String> webhookSettings() {
    return Map.of();
  }

  @BeforeAll
  void startPlatform() {
    p = WebhookPlatform.start(webhookSettings());
  }

  @AfterAll
  void stopPlatform() {
    if (p != null) {
      p.close();
    }
  }
}

package com.paysvc.webhook.it;

import com.paysvc.testing.OnePerClass;

/** One {@link WebhookPlatform} per test class; its {@link #settings()} are webhook's. */
abstract class WebhookIT extends OnePerClass<WebhookPlatform> {
  WebhookIT() {
    super(WebhookPlatform::start);
  }
}

package com.paysvc.webhook;

import com.paysvc.common.launch.ServiceLauncher;

/** {@code java -jar webhook.jar [run|migrate|--help]}. */
public final class WebhookMain {
  private WebhookMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.main(new WebhookDefinition(), args);
  }
}

package com.paysvc.auth;

import com.paysvc.common.launch.ServiceLauncher;

/** {@code java -jar auth.jar [run|migrate|--help]}. */
public final class AuthMain {
  private AuthMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.main(new AuthDefinition(), args);
  }
}

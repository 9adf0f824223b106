package com.paysvc.users;

import com.paysvc.common.launch.ServiceLauncher;

/** {@code java -jar users.jar [run|migrate|--help]}. */
public final class UsersMain {
  private UsersMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.main(new UsersDefinition(), args);
  }
}

package com.paysvc.webhook;

import com.paysvc.common.launch.ServiceCommand;
import com.paysvc.webhook.service.Signatures;

import java.io.IOException;
import java.util.List;

/**
 * {@code java -jar webhook.jar sign --secret-env WEBHOOK_HMAC_SECRET [--timestamp T] < body.json}: prints the two
 * headers 2can would send with that body, so a person can post a notification with curl. The secret is read from
 * the named environment variable, never from the command line; the body from stdin, byte for byte.
 */
final class SignCommand implements ServiceCommand {
  @Override
  public String usage() {
    return "--secret-env VAR [--timestamp T] < body   print X-Timestamp and X-Signature for a body";
  }

  @Override
  public boolean needsService() {
    return false;
  }

  @Override
  public int run(Invocation inv) {
    String var = null;
    String timestamp = null;
    List<String> args = inv.args();
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--secret-env" -> var = i + 1 < args.size() ? args.get(++i) : null;
        case "--timestamp" -> timestamp = i + 1 < args.size() ? args.get(++i) : null;
        default -> {
          inv.err().println("sign: unknown argument " + args.get(i) + " (usage: " + usage() + ")");
          return 2;
        }
      }
    }
    String secret = var == null ? null : System.getenv(var);
    if (secret == null || secret.isEmpty()) {
      inv.err().println("sign: give --secret-env with the name of a variable that holds the secret");
      return 2;
    }
    if (timestamp != null && !timestamp.matches("[0-9]{1,12}")) {
      inv.err().println("sign: --timestamp takes Unix seconds");
      return 2;
    }
    byte[] body;
    try {
      body = inv.in().readAllBytes();
    } catch (IOException e) {
      inv.err().println("sign: cannot read the body from stdin: " + e.getMessage());
      return 1;
    }
    String ts = timestamp != null ? timestamp : Long.toString(System.currentTimeMillis() / 1000);
    inv.out().println("X-Timestamp: " + ts);
    inv.out().println("X-Signature: " + Signatures.sign(secret, ts, body));
    return 0;
  }
}

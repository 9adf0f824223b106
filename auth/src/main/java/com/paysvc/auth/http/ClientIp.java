package com.paysvc.auth.http;

import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The client's IP for rate limits. Behind the gateway every request comes from HAProxy on loopback, which
 * appends the real peer as the last {@code X-Forwarded-For} value ({@code option forwardfor}); that value is
 * trusted only when the direct peer is loopback, so a remote client cannot choose its own rate-limit bucket.
 */
final class ClientIp {
  private ClientIp() {
  }

  static String of(RoutingContext rc) {
    SocketAddress peer = rc.request().remoteAddress();
    String direct = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    if (!isLoopback(direct)) {
      return direct;
    }
    List<String> forwarded = rc.request().headers().getAll("X-Forwarded-For");
    if (forwarded.isEmpty()) {
      return direct;
    }
    String last = forwarded.get(forwarded.size() - 1);
    String ip = last.substring(last.lastIndexOf(',') + 1).trim();
    return ip.isEmpty() || ip.length() > 64 ? direct : ip;
  }

  private static boolean isLoopback(String ip) {
    return ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1");
  }
}

package com.paysvc.auth.http;

import io.netty.util.NetUtil;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The client's IP for rate limits. The direct peer is the client, unless it is a trusted proxy ({@code TRUSTED_PROXIES},
 * CIDRs: the gateway's addresses; natively loopback, where HAProxy runs). From a trusted proxy, the client is the
 * rightmost {@code X-Forwarded-For} hop — the one that proxy wrote for its own peer (the gateway overwrites the header
 * with the connection's source) — and nothing further left: whatever a client wrote into its own header is not
 * believed, even an address that looks like a trusted one ({@code X-Forwarded-For: 127.0.0.1} would otherwise walk the
 * chain on to a bucket of the client's choosing). A trusted proxy's request without a usable hop counts as the proxy's
 * own. So a caller that is not a trusted proxy cannot choose its own bucket, and the gateway does not put every client
 * into its own single bucket. One trusted proxy in front of the services is supported; a chain (a CDN before the
 * gateway) must be collapsed by the gateway (it overwrites the header with the address it trusts).
 */
public final class ClientIp {
  private final List<Cidr> trusted;

  public ClientIp(List<Cidr> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** A network: address bytes (4 or 16) and prefix length. */
  public record Cidr(byte[] network, int prefix) {
    boolean contains(byte[] ip) {
      if (ip.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (ip[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (ip[full] & mask) == (network[full] & mask);
    }
  }

  /** {@code TRUSTED_PROXIES}: comma-separated CIDRs or single addresses (IPv4 or IPv6 literals, never names). */
  public static List<Cidr> parse(String value) {
    List<Cidr> out = new ArrayList<>();
    for (String entry : value.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int slash = e.indexOf('/');
      byte[] ip = bytes(slash < 0 ? e : e.substring(0, slash));
      if (ip == null) {
        throw new IllegalArgumentException("'" + e + "' is not an IP address or CIDR");
      }
      int prefix = ip.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException x) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > ip.length * 8) {
          throw new IllegalArgumentException("'" + e + "' has an invalid prefix length");
        }
      }
      out.add(new Cidr(ip, prefix));
    }
    return out;
  }

  /**
   * The client's rate-limit bucket: its IPv4 address, or the /64 network of an IPv6 one (one subscriber usually holds a
   * whole /64 and could otherwise get a new bucket per address).
   */
  public String of(RoutingContext rc) {
    return bucket(address(rc));
  }

  static String bucket(String ip) {
    byte[] b = bytes(ip);
    if (b == null || b.length != 16) {
      return ip;
    }
    return String.format("%x:%x:%x:%x::/64", (b[0] & 0xff) << 8 | (b[1] & 0xff), (b[2] & 0xff) << 8 | (b[3] & 0xff),
      (b[4] & 0xff) << 8 | (b[5] & 0xff), (b[6] & 0xff) << 8 | (b[7] & 0xff));
  }

  /** The client's address (see the class comment). */
  String address(RoutingContext rc) {
    SocketAddress peer = rc.request().remoteAddress();
    String direct = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    if (!isTrusted(direct)) {
      return direct;
    }
    String hop = rightmostHop(rc.request().headers().getAll("X-Forwarded-For"));
    return hop != null && bytes(hop) != null ? hop : direct;
  }

  /** The last address of the last {@code X-Forwarded-For} line: the one the trusted proxy appended. */
  private static String rightmostHop(List<String> headers) {
    if (headers.isEmpty()) {
      return null;
    }
    String last = headers.get(headers.size() - 1);
    return last.substring(last.lastIndexOf(',') + 1).trim();
  }

  private boolean isTrusted(String ip) {
    byte[] b = bytes(ip);
    if (b == null) {
      return false;
    }
    for (Cidr c : trusted) {
      if (c.contains(b)) {
        return true;
      }
    }
    return false;
  }

  /** The address bytes of an IP literal (IPv4-mapped IPv6 as IPv4), null for anything else; never a DNS lookup. */
  static byte[] bytes(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
      return null;
    }
    byte[] b = NetUtil.createByteArrayFromIpAddressString(s);
    if (b != null && b.length == 16 && isV4Mapped(b)) {
      byte[] v4 = new byte[4];
      System.arraycopy(b, 12, v4, 0, 4);
      return v4;
    }
    return b;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}

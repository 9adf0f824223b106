package com.paysvc.auth.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientIpTest {
  final ClientIp loopback = new ClientIp(ClientIp.parse("127.0.0.0/8,::1/128"));

  @Test
  void aDirectClientIsItsOwnAddressWhateverItsHeaderSays() {
    assertEquals("203.0.113.9", loopback.of(request("203.0.113.9", "10.0.0.1")));
    assertEquals("203.0.113.9", loopback.of(request("203.0.113.9")));
  }

  @Test
  void behindTheTrustedGatewayTheHopItWroteCounts() {
    // The gateway overwrites the header with its peer (one hop), or appends it (older configurations): the rightmost.
    assertEquals("198.51.100.7", loopback.of(request("127.0.0.1", "198.51.100.7")));
    assertEquals("198.51.100.7", loopback.of(request("127.0.0.1", "1.2.3.4, 198.51.100.7")));
    assertEquals("198.51.100.7", loopback.of(request("127.0.0.1", "1.2.3.4", "198.51.100.7")));
    assertEquals("127.0.0.1", loopback.of(request("127.0.0.1")));
    // IPv6 clients are bucketed by /64: one subscriber usually holds a whole /64.
    assertEquals("2001:db8:0:0::/64", loopback.of(request("0:0:0:0:0:0:0:1", "2001:db8::5")));
    assertEquals("2001:db8:0:0::/64", loopback.of(request("0:0:0:0:0:0:0:1", "2001:db8::ffff:1234")));
    assertEquals("2001:db8:0:1::/64", loopback.of(request("0:0:0:0:0:0:0:1", "2001:db8:0:1::5")));
  }

  @Test
  void aClientCannotPickItsBucketWithAHopThatLooksTrusted() {
    // A client on the gateway's own host (or inside a trusted network) writes a bucket of its choice and then a
    // trusted-looking address; the gateway appends the client's real address. Only that last hop counts.
    assertEquals("127.0.0.1", loopback.of(request("127.0.0.1", "6.6.6.6, 127.0.0.1")));
    assertEquals("127.0.0.1", loopback.of(request("127.0.0.1", "6.6.6.6", "127.0.0.1")));
    ClientIp compose = new ClientIp(ClientIp.parse("172.28.0.10, 10.1.0.0/16"));
    assertEquals("10.1.2.3", compose.of(request("172.28.0.10", "6.6.6.6, 10.1.2.3")));
    assertEquals("172.28.0.10", compose.of(request("172.28.0.10", "6.6.6.6, 172.28.0.10")));
    // Garbage in the hop the proxy wrote: the proxy's own bucket, never the garbage nor anything left of it.
    assertEquals("172.28.0.10", compose.of(request("172.28.0.10", "6.6.6.6, not-an-ip")));
    assertEquals("172.28.0.10", compose.of(request("172.28.0.10", "6.6.6.6,")));
    assertEquals("172.28.0.10", compose.of(request("172.28.0.10", "")));
  }

  @Test
  void anUntrustedPeerIsItsOwnBucketWhateverItsHeaderSays() {
    ClientIp compose = new ClientIp(ClientIp.parse("172.28.0.10"));
    // The host's port mapping (docker's bridge address) is not the gateway: its header is not believed.
    assertEquals("172.28.0.1", compose.of(request("172.28.0.1", "198.51.100.7")));
    assertEquals("127.0.0.1", compose.of(request("127.0.0.1", "198.51.100.7")));
  }

  @Test
  void cidrsAreParsedStrictly() {
    assertEquals(2, ClientIp.parse(" 192.168.0.0/16 , ::1 ").size());
    for (String bad : List.of("localhost", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "300.1.1.1")) {
      assertThrows(IllegalArgumentException.class, () -> ClientIp.parse(bad), bad);
    }
    ClientIp net = new ClientIp(ClientIp.parse("192.168.128.0/17"));
    assertEquals("8.8.8.8", net.of(request("192.168.200.1", "8.8.8.8")));
    assertEquals("192.168.100.1", net.of(request("192.168.100.1", "8.8.8.8")));
  }

  /** A routing context that only answers what ClientIp asks. */
  static RoutingContext request(String peer, String... forwarded) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String f : forwarded) {
      headers.add("X-Forwarded-For", f);
    }
    HttpServerRequest req = (HttpServerRequest) Proxy.newProxyInstance(ClientIpTest.class.getClassLoader(),
      new Class<?>[] {HttpServerRequest.class}, (proxy, m, args) -> switch (m.getName()) {
        case "remoteAddress" -> SocketAddress.inetSocketAddress(1234, peer);
        case "headers" -> headers;
        default -> throw new UnsupportedOperationException(m.getName());
      });
    return (RoutingContext) Proxy.newProxyInstance(ClientIpTest.class.getClassLoader(), new Class<?>[] {RoutingContext.class},
      (proxy, m, args) -> {
        if (m.getName().equals("request")) {
          return req;
        }
        throw new UnsupportedOperationException(m.getName());
      });
  }
}

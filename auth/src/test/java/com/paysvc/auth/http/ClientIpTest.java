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
  void behindTheTrustedGatewayTheForwardedClientCounts() {
    // HAProxy appends the real peer; whatever the client wrote before it is not believed.
    assertEquals("198.51.100.7", loopback.of(request("127.0.0.1", "1.2.3.4, 198.51.100.7")));
    assertEquals("198.51.100.7", loopback.of(request("127.0.0.1", "1.2.3.4", "198.51.100.7")));
    assertEquals("127.0.0.1", loopback.of(request("127.0.0.1")));
    // IPv6 clients are bucketed by /64: one subscriber usually holds a whole /64.
    assertEquals("2001:db8:0:0::/64", loopback.of(request("0:0:0:0:0:0:0:1", "2001:db8::5")));
    assertEquals("2001:db8:0:0::/64", loopback.of(request("0:0:0:0:0:0:0:1", "2001:db8::ffff:1234")));
    assertEquals("2001:db8:0:1::/64", loopback.of(request("0:0:0:0:0:0:0:1", "2001:db8:0:1::5")));
  }

  @Test
  void aChainOfTrustedProxiesIsWalkedFromTheRight() {
    ClientIp two = new ClientIp(ClientIp.parse("127.0.0.1, 10.1.0.0/16"));
    assertEquals("198.51.100.7", two.of(request("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3")));
    // Garbage in a hop: the last trusted hop is the answer, never the garbage.
    assertEquals("10.1.2.3", two.of(request("127.0.0.1", "not-an-ip, 10.1.2.3")));
    // Every hop trusted: the leftmost is the client.
    assertEquals("10.1.9.9", two.of(request("127.0.0.1", "10.1.9.9, 10.1.2.3")));
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

package com.paysvc.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests {@link Http} cannot send: a request line with a broken %-escape or bytes
 * that are not UTF-8, a body on any method, no Content-Type at all. One request per connection
 * ({@code Connection: close}); the answer is read until the server closes or its Content-Length is reached.
 */
public final class RawHttp {
  private RawHttp() {
  }

  /** No answer within the timeout: the server kept the connection open and said nothing. */
  public static final class NoAnswer extends RuntimeException {
    NoAnswer(String what) {
      super(what);
    }
  }

  /**
   * Sends {@code method target} with {@code headers} ("Name: value" lines, without Host, Content-Length, Connection)
   * and {@code body} (null: none, no Content-Length) to 127.0.0.1:{@code port}; waits at most {@code timeoutMs}.
   */
  public static Http.Response send(int port, String method, byte[] target, List<String> headers, byte[] body, int timeoutMs) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.write((method + " ").getBytes(StandardCharsets.ISO_8859_1));
      request.write(target);
      StringBuilder head = new StringBuilder(" HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
      for (String h : headers) {
        head.append(h).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      request.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        request.write(body);
      }
      // Written on a thread of its own while this one reads, as an HTTP client does: a server may answer before it has
      // read the body (401 or 413 unread) and close the connection, and a client that only reads after writing it all
      // would see a broken pipe instead of the answer.
      OutputStream out = socket.getOutputStream();
      byte[] bytes = request.toByteArray();
      Thread writer = new Thread(() -> {
        try {
          out.write(bytes);
          out.flush();
        } catch (IOException refusedMidway) {
          // The server closed while the body was still going out: what it answered is read below.
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      return read(socket.getInputStream(), "HEAD".equals(method));
    } catch (SocketTimeoutException e) {
      throw new NoAnswer(method + " " + new String(target, StandardCharsets.ISO_8859_1) + ": no answer within " + timeoutMs + " ms");
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + new String(target, StandardCharsets.ISO_8859_1) + ": " + e, e);
    }
  }

  private static Http.Response read(InputStream in, boolean head) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int headerEnd = -1;
    long contentLength = -1;
    byte[] chunk = new byte[8192];
    while (true) {
      if (headerEnd >= 0 && (head || contentLength >= 0 && buf.size() - headerEnd >= contentLength)) {
        break;
      }
      int n = in.read(chunk);
      if (n < 0) {
        break;
      }
      buf.write(chunk, 0, n);
      if (headerEnd < 0) {
        String sofar = buf.toString(StandardCharsets.ISO_8859_1);
        int end = sofar.indexOf("\r\n\r\n");
        if (end >= 0) {
          headerEnd = end + 4;
          for (String line : sofar.substring(0, end).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              contentLength = Long.parseLong(line.substring(15).trim());
            }
          }
        }
      }
    }
    if (headerEnd < 0) {
      throw new IOException("the server closed the connection without a complete answer");
    }
    String all = buf.toString(StandardCharsets.ISO_8859_1);
    String[] lines = all.substring(0, headerEnd - 4).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
      }
    }
    byte[] bytes = buf.toByteArray();
    String body = new String(bytes, headerEnd, bytes.length - headerEnd, StandardCharsets.UTF_8);
    return new Http.Response(status, body, HttpHeaders.of(headers, (k, v) -> true));
  }
}

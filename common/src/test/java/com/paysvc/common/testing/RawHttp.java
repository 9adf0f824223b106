package com.paysvc.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte, for requests no well-behaved client sends: a malformed %-escape in the
 * target, invalid UTF-8, a method with a body where clients refuse one, a Content-Length that is a lie. One request per
 * connection ({@code Connection: close}); blocking, for test threads only.
 */
public final class RawHttp {
  /** Largest answer body read (the services' answers are small; a bigger one is cut here). */
  private static final int MAX_BODY = 1 << 20;

  private RawHttp() {
  }

  /** An answer: status (or -1 when the connection ended without one), headers (names lower-case), body. */
  public record Answer(int status, Map<String, List<String>> headers, byte[] body, String problem) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
      return status < 0 ? "no answer (" + problem + ")" : status + " " + abbreviated(text());
    }

    private static String abbreviated(String s) {
      return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
  }

  /**
   * The request's bytes: request line, {@code Host} and {@code Connection: close}, the given headers as they are, then
   * {@code body} (null: none). No Content-Length is added: give it (or a lie) in {@code headers}.
   */
  public static byte[] request(String method, String target, List<String[]> headers, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
      .append("Host: 127.0.0.1\r\nConnection: close\r\n");
    for (String[] h : headers) {
      head.append(h[0]).append(": ").append(h[1]).append("\r\n");
    }
    head.append("\r\n");
    byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null) {
      return start;
    }
    byte[] all = new byte[start.length + body.length];
    System.arraycopy(start, 0, all, 0, start.length);
    System.arraycopy(body, 0, all, start.length, body.length);
    return all;
  }

  /** A request with a body and its true Content-Length (and Content-Type unless null). */
  public static byte[] request(String method, String target, List<String[]> headers, String contentType, byte[] body) {
    List<String[]> all = new ArrayList<>(headers);
    if (contentType != null) {
      all.add(new String[] {"Content-Type", contentType});
    }
    all.add(new String[] {"Content-Length", Integer.toString(body.length)});
    return request(method, target, all, body);
  }

  /**
   * Sends {@code request} to 127.0.0.1:{@code port} and reads the answer, waiting at most {@code timeoutMs} per read.
   * The answer is read while the request is still being written: a server may refuse a body early and close, and an
   * answer read only after the whole body was written could be lost to the connection's reset.
   */
  public static Answer exchange(int port, byte[] request, int timeoutMs, boolean head) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(timeoutMs);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          out.write(request);
          out.flush();
        } catch (IOException refusedEarly) {
          // The server answered and closed before it read everything (a refused body): its answer is what counts.
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      InputStream in = socket.getInputStream();
      return read(in, head);
    } catch (SocketTimeoutException e) {
      return new Answer(-1, Map.of(), new byte[0], "no answer within " + timeoutMs + " ms");
    } catch (IOException e) {
      return new Answer(-1, Map.of(), new byte[0], e.toString());
    }
  }

  private static Answer read(InputStream in, boolean head) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      return new Answer(-1, Map.of(), new byte[0], "connection closed without an answer");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      return new Answer(-1, Map.of(), new byte[0], "not an HTTP answer: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(h.substring(colon + 1).trim());
      }
    }
    if (head || status == 204 || status == 304 || status < 200) {
      return new Answer(status, headers, new byte[0], null);
    }
    List<String> te = headers.get("transfer-encoding");
    List<String> cl = headers.get("content-length");
    byte[] body;
    if (te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
      body = chunked(in);
    } else if (cl != null) {
      body = in.readNBytes((int) Math.min(Long.parseLong(cl.get(0)), MAX_BODY));
    } else {
      body = in.readNBytes(MAX_BODY);
    }
    return new Answer(status, headers, body, null);
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (body.size() < MAX_BODY) {
      String size = line(in);
      if (size == null) {
        break;
      }
      int semicolon = size.indexOf(';');
      int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (n == 0) {
        break;
      }
      body.write(in.readNBytes(n));
      line(in);
    }
    return body.toByteArray();
  }

  /** A CRLF-terminated line as ISO-8859-1, or null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); ; c = in.read()) {
      if (c < 0) {
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
      }
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
  }
}

package com.paysvc.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection written byte by byte from the test thread: a request target sent exactly as given (no
 * client normalises {@code //}, {@code ./} or %-escapes away), a body sent in parts at the test's pace, the answer read
 * as soon as it comes, and whether the server then closed the connection.
 */
public final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  public static RawConnection open(int port) {
    try {
      Socket s = new Socket("127.0.0.1", port);
      s.setTcpNoDelay(true);
      return new RawConnection(s);
    } catch (IOException e) {
      throw new IllegalStateException("cannot connect to 127.0.0.1:" + port + ": " + e, e);
    }
  }

  /** The request line and headers ({@code Host} added), ending with the blank line. */
  public static String head(String method, String target, Map<String, String> headers) {
    StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
    return b.append("\r\n").toString();
  }

  /** A whole request with a body of {@code body} (Content-Length set). */
  public static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Content-Length", Integer.toString(body.length));
    byte[] head = head(method, target, all).getBytes(StandardCharsets.ISO_8859_1);
    byte[] bytes = new byte[head.length + body.length];
    System.arraycopy(head, 0, bytes, 0, head.length);
    System.arraycopy(body, 0, bytes, head.length, body.length);
    return bytes;
  }

  /** Writes {@code bytes}; false when the server has closed (or reset) the connection. */
  public boolean send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public boolean send(String ascii) {
    return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** An answer: status, headers by lower-case name, body (by its Content-Length). */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** The next answer, waiting at most {@code timeoutMs}; fails if none comes in time or the connection ends first. */
  public Response response(long timeoutMs) {
    try {
      socket.setSoTimeout((int) timeoutMs);
      String status = line();
      if (status == null || !status.startsWith("HTTP/1.")) {
        throw new IllegalStateException("no HTTP answer, got: " + status);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(); h != null && !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      return new Response(Integer.parseInt(status.substring(9, 12)), headers, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("reading the answer: " + e, e);
    }
  }

  /** Whether the server ends the connection (end of stream or reset) within {@code timeoutMs}; bytes after it are skipped. */
  public boolean closedWithin(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    try {
      byte[] skip = new byte[8192];
      while (System.currentTimeMillis() < deadline) {
        socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
        if (in.read(skip) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c >= 0; c = in.read()) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}

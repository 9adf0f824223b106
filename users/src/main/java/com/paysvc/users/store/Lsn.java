package com.paysvc.users.store;

import java.util.HexFormat;
import java.util.Locale;

/**
 * A position in the primary's WAL (PostgreSQL's {@code pg_lsn}, an unsigned 64-bit byte offset). A write's commit
 * position is kept in Redis as a "written" marker; replica data counts only if the replica had replayed at least
 * that far when it read it.
 *
 * <p>In Redis a position is {@link #marker()}: 16 upper-case hex digits, the high and the low 32 bits. The Lua
 * scripts compare the two halves as numbers (each fits a Lua double exactly; the whole would not), so no string
 * collation is involved.
 */
public record Lsn(long position) {
  /** A write whose commit position could not be read: no replica counts as having replayed it (all ones, unsigned). */
  public static final Lsn UNKNOWN = new Lsn(-1L);
  /** Markers are upper-case hex, as they have always been written (other instances may hold older ones). */
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  /** PostgreSQL's text form {@code X/Y} (hex, high and low 32 bits); null stays null (a primary's "no replay"). */
  public static Lsn parse(String text) {
    if (text == null) {
      return null;
    }
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new IllegalArgumentException("not a pg_lsn: " + text);
    }
    long hi = Long.parseUnsignedLong(text.substring(0, slash), 16);
    long lo = Long.parseUnsignedLong(text.substring(slash + 1), 16);
    if (hi > 0xFFFF_FFFFL || lo > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not a pg_lsn: " + text);
    }
    return new Lsn(hi << 32 | lo);
  }

  /**
   * A marker's value back as a position; null stays null (no marker). Anything but 16 hex digits (an older
   * instance's marker, {@code 1}) carries no position: {@link #UNKNOWN}, as the scripts read it.
   */
  public static Lsn ofMarker(String marker) {
    if (marker == null) {
      return null;
    }
    if (marker.length() != 16) {
      return UNKNOWN;
    }
    try {
      return new Lsn(Long.parseUnsignedLong(marker, 16));
    } catch (NumberFormatException e) {
      return UNKNOWN;
    }
  }

  /**
   * The form kept in Redis: 16 upper-case hex digits. Not {@code String.format}: it cost 2 % of users' CPU per cache
   * miss (every fill carries the replica's position).
   */
  public String marker() {
    return HEX.toHexDigits(position);
  }

  /** Whether a node that had replayed up to this position has applied everything up to {@code written}. */
  public boolean reached(Lsn written) {
    return Long.compareUnsigned(position, written.position) >= 0;
  }

  /** The later of two positions; a null one is ignored. */
  public static Lsn later(Lsn a, Lsn b) {
    if (a == null) {
      return b;
    }
    return b == null || a.reached(b) ? a : b;
  }

  @Override
  public String toString() {
    return Long.toHexString(position >>> 32).toUpperCase(Locale.ROOT) + "/"
      + Long.toHexString(position & 0xFFFF_FFFFL).toUpperCase(Locale.ROOT);
  }
}

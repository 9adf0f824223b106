package com.paysvc.users.http;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.RequestId;
import com.paysvc.users.service.BulkService;
import com.paysvc.users.service.UserFileParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /accounts/users/bulk/upload}: authorises first (nobody streams 10 MB to disk without the right
 * role), refuses a body that is not multipart/form-data (415) unread, takes one of the instance's upload slots (none
 * free: 429), then its own BodyHandler writes the multipart file to the service's private uploads dir (deleted when
 * the response ends) with a 10 MB cap (413) and a time limit (400), the file is parsed on a worker thread and each row
 * becomes a user on its own.
 */
public final class UploadHandler {
  public static final long MAX_FILE_BYTES = 10L * 1024 * 1024;
  // Room for the multipart envelope (boundaries, part headers) around a file of exactly the maximum size.
  private static final long ENVELOPE_BYTES = 64 * 1024;
  /** The largest body an upload reads. */
  static final long MAX_BODY_BYTES = MAX_FILE_BYTES + ENVELOPE_BYTES;
  // An upload holds its slot for seconds (spooling 10 MB, parsing, up to 10,000 inserts): retry after a few.
  private static final int RETRY_AFTER_SECONDS = 5;
  /**
   * Once the last byte of a body has arrived, the BodyHandler moves on when the spooled file is closed: milliseconds
   * (the file is written as the body comes, its write queue bounded). A multipart body that ends inside a part, its
   * closing boundary missing, never moves on (Vert.x's decoder waits for the part's end, as in eclipse-vertx/vert.x#3134):
   * it is answered this long after its end instead of holding its slot to the time limit.
   */
  static final long UNFINISHED_PART_GRACE_MS = 2_000;
  private static final String RECEIVED = "paysvc.upload_received";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private final Vertx vertx;
  private final BulkService bulk;
  private final UserFileParser parser;
  private final String uploadsDir;
  private final Semaphore slots;
  private final int timeLimitSeconds;

  /**
   * {@code maxConcurrent}: uploads of this instance spooled or parsed at once (the handler is shared by its loops);
   * {@code timeLimitSeconds}: longest an upload's body may take to arrive once it holds a slot.
   */
  public UploadHandler(Vertx vertx, BulkService bulk, UserFileParser parser, String uploadsDir, int maxConcurrent,
                       int timeLimitSeconds) {
    this.vertx = vertx;
    this.bulk = bulk;
    this.parser = parser;
    this.uploadsDir = uploadsDir;
    this.slots = new Semaphore(maxConcurrent);
    this.timeLimitSeconds = timeLimitSeconds;
  }

  /**
   * Creates the uploads dir readable by the service's user only (rwx------), or tightens an existing one to that:
   * spooled files hold other people's phone numbers. Blocking (file system): call it at startup, off the event loop.
   */
  public static Path privateDirectory(Path dir) throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return Files.createDirectories(dir);
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " is not a directory (a link is not followed)");
    }
    // A umask may have taken bits at creation, an existing dir may have more: set exactly (fails unless it is ours).
    if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }
    if (!Files.isWritable(dir)) {
      throw new IOException(dir + " is not writable by the service's user");
    }
    return dir;
  }

  /**
   * A body that is not multipart/form-data (no Content-Type, another type, a form) → 415 UNSUPPORTED_MEDIA_TYPE, before
   * a slot is taken or anything of it read (the common body handling leaves an upload path's body to its route).
   */
  void requireMultipart(RoutingContext rc) {
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      rc.fail(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send multipart/form-data with one file"));
      return;
    }
    rc.next();
  }

  /**
   * Takes one of the instance's upload slots until the response ends, however it ends (sent, failed, connection
   * closed); none free → 429 RATE_LIMITED with Retry-After, before anything of the body is read. The body then has
   * {@code timeLimitSeconds} to arrive ({@link #received} stops the clock).
   */
  void holdSlot(RoutingContext rc) {
    if (rc.response().ended() || rc.response().closed()) {
      // Answered (a malformed chunk: MalformedRequests) or gone while the guard and the admin check ran: the context's
      // end handlers have run already, and a slot taken now would never come back.
      return;
    }
    if (!slots.tryAcquire()) {
      rc.fail(new ApiException(ErrorCode.RATE_LIMITED, "too many uploads in progress, retry shortly",
        new JsonObject().put("retry_after_seconds", RETRY_AFTER_SECONDS)));
      return;
    }
    rc.addEndHandler(ar -> slots.release());
    limitTime(rc);
    rc.next();
  }

  /**
   * A body that arrives too slowly (the whole body, not each read: a byte every minute passes the idle timeout), or
   * that ended inside a part, gives its slot back: 400 FILE_UPLOAD_ERROR, the partial file deleted, the slot released
   * when the answer ends. Without it such a body held one of the instance's slots until the 120 s idle timeout, or for
   * good.
   */
  private void limitTime(RoutingContext rc) {
    long deadline = vertx.setTimer(timeLimitSeconds * 1000L, id -> giveUp(rc,
      "the file did not arrive within " + timeLimitSeconds + " s"));
    long[] grace = {-1};
    rc.addEndHandler(ar -> {
      vertx.cancelTimer(deadline);
      vertx.cancelTimer(grace[0]);
    });
    // A future of its own: the BodyHandler's end handler is not replaced.
    rc.request().end().onSuccess(v -> {
      if (rc.get(RECEIVED) == null && !rc.response().headWritten()) {
        grace[0] = vertx.setTimer(UNFINISHED_PART_GRACE_MS, id -> giveUp(rc,
          "the multipart body ends inside a part (its closing boundary is missing)"));
      }
    });
  }

  /** After the upload's BodyHandler: the body is in, the time limit no longer applies. */
  void received(RoutingContext rc) {
    rc.put(RECEIVED, Boolean.TRUE);
    rc.next();
  }

  private void giveUp(RoutingContext rc, String why) {
    if (rc.get(RECEIVED) != null || rc.response().headWritten() || rc.response().closed()) {
      return;
    }
    rc.fail(new ApiException(ErrorCode.FILE_UPLOAD_ERROR, why));
    // After the answer: cancelling the file's pipe fails the BodyHandler ("Pipe closed"), which would have answered 500.
    rc.cancelAndCleanupFileUploads();
  }

  int freeSlots() {
    return slots.availablePermits();
  }

  /** Spools the multipart file to the uploads dir (deleted when the response ends); over the cap → 413. */
  BodyHandler bodyHandler() {
    return BodyHandler.create(uploadsDir)
      .setBodyLimit(MAX_BODY_BYTES)
      .setHandleFileUploads(true)
      .setDeleteUploadedFilesOnEnd(true)
      // Parts stay in formAttributes(): merged into params(), they made the handler decode a broken query after the
      // body ended, outside the routing context, and the upload was never answered (holding its slot).
      .setMergeFormAttributes(false);
  }

  Future<Buffer> upload(RoutingContext rc) {
    List<FileUpload> files = rc.fileUploads();
    if (files.size() != 1) {
      throw new ApiException(ErrorCode.FILE_UPLOAD_ERROR, "send multipart/form-data with exactly one file");
    }
    FileUpload file = files.get(0);
    if (file.size() > MAX_FILE_BYTES) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the file exceeds 10 MB");
    }
    UserFileParser.Kind kind = UserFileParser.kindOf(file.fileName());
    Path path = Path.of(file.uploadedFileName());
    String correlationId = RequestId.of(rc);
    boolean byAdmin = Access.mayChangeAdmins(rc);
    return vertx.executeBlocking(() -> parser.parse(path, kind), false)
      .compose(rows -> bulk.createFromRows(rows, byAdmin, correlationId))
      .map(JsonObject::toBuffer);
  }
}

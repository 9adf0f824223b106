package com.paysvc.users;

import com.paysvc.testing.ApiErrors;
import com.paysvc.testing.Http;
import com.paysvc.testing.RawHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /accounts/users/bulk/upload: CSV and XLSX with good and bad rows, size and type checks. */
class UploadIT extends UsersTestBase {

  @Test
  void csvWithMixedRows() {
    String p1 = randomPhone();
    String p2 = randomPhone();
    String csv = "\uFEFFphone,user_groups\n"
      + p1 + ",\"client,driver\"\n"
      + "89990000000,client\n"      // not E.164
      + ",client\n"                 // empty phone
      + p2 + ",pilots\n"            // unknown group
      + p1 + ",client\n"            // phone taken by row 1
      + randomPhone() + ",\n";      // no groups
    JsonObject result = assertOk(upload("users.csv", Buffer.buffer(csv.getBytes(StandardCharsets.UTF_8)), "text/csv"), 200);
    assertEquals(List.of(1, 6), UsersApiIT.positions(result.getJsonArray("created"), "row"));
    assertEquals(List.of(2, 3, 4, 5), UsersApiIT.positions(result.getJsonArray("failed"), "row"));
    JsonArray failed = result.getJsonArray("failed");
    assertEquals("VALIDATION_ERROR", failed.getJsonObject(0).getString("error_code"));
    assertEquals("CONTACT_TYPE_CONFLICT", failed.getJsonObject(3).getString("error_code"));
    JsonObject user = assertOk(get(byIdentifier(p1)), 200);
    assertEquals(List.of("client", "driver"), UsersApiIT.names(user.getJsonArray("groups")));
    // p2's row failed as a whole: no half-created user.
    assertError(get(byIdentifier(p2)), 404, "NOT_FOUND");
  }

  @Test
  void aFileOfOnlyBadRowsIsAnsweredRowByRow() {
    // Rows that fail while reading complete at once: the bulk lanes must not recurse once per row.
    StringBuilder csv = new StringBuilder("phone,user_groups\n");
    for (int i = 0; i < 10_000; i++) {
      csv.append(",client\n");
    }
    JsonObject result = assertOk(upload("bad.csv", Buffer.buffer(csv.toString()), "text/csv"), 200);
    assertEquals(0, result.getJsonArray("created").size());
    assertEquals(10_000, result.getJsonArray("failed").size());
  }

  @Test
  void xlsxWithMixedRows() throws IOException {
    String good = randomPhone();
    Buffer xlsx = workbook(new String[][] {
      {"phone", "user_groups"},
      {good, "driver"},
      {"not a phone", "client"},
      {randomPhone(), "client, driver"},
    });
    JsonObject result = assertOk(upload("users.xlsx", xlsx,
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), 200);
    assertEquals(List.of(1, 3), UsersApiIT.positions(result.getJsonArray("created"), "row"));
    assertEquals(List.of(2), UsersApiIT.positions(result.getJsonArray("failed"), "row"));
    assertEquals(List.of("driver"), UsersApiIT.names(assertOk(get(byIdentifier(good)), 200).getJsonArray("groups")));
  }

  @Test
  void legacyXlsIsRead() throws IOException {
    String good = randomPhone();
    Buffer xls;
    try (org.apache.poi.hssf.usermodel.HSSFWorkbook wb = new org.apache.poi.hssf.usermodel.HSSFWorkbook();
         ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      Sheet sheet = wb.createSheet("users");
      String[][] rows = {{"user_groups", "phone"}, {"client", good}, {"client", ""}};
      for (int r = 0; r < rows.length; r++) {
        Row row = sheet.createRow(r);
        for (int c = 0; c < rows[r].length; c++) {
          row.createCell(c).setCellValue(rows[r][c]);
        }
      }
      wb.write(out);
      xls = Buffer.buffer(out.toByteArray());
    }
    JsonObject result = assertOk(upload("users.xls", xls, "application/vnd.ms-excel"), 200);
    assertEquals(List.of(1), UsersApiIT.positions(result.getJsonArray("created"), "row"));
    assertEquals(List.of(2), UsersApiIT.positions(result.getJsonArray("failed"), "row"));
    assertOk(get(byIdentifier(good)), 200);
  }

  @Test
  void wrongTypesAreRefused() throws IOException {
    assertError(upload("users.txt", Buffer.buffer("phone\n+79990000000\n"), "text/plain"), 400, "FILE_UPLOAD_ERROR");
    // Extension and content disagree, both ways.
    assertError(upload("users.xlsx", Buffer.buffer("phone\n+79990000000\n"), "text/csv"), 400, "FILE_UPLOAD_ERROR");
    assertError(upload("users.csv", workbook(new String[][] {{"phone"}}), "text/csv"), 400, "FILE_UPLOAD_ERROR");
    assertError(upload("users.xls", Buffer.buffer("phone\n"), "application/vnd.ms-excel"), 400, "FILE_UPLOAD_ERROR");
    assertError(upload("users.csv", Buffer.buffer("name,city\nx,y\n"), "text/csv"), 400, "FILE_UPLOAD_ERROR");
    assertError(upload("users.csv", Buffer.buffer(), "text/csv"), 400, "FILE_UPLOAD_ERROR");
    // Not multipart at all: the contract's 415, before anything of it is read.
    assertError(post("/accounts/users/bulk/upload", new JsonObject()), 415, "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void aBodyThatIsNotMultipartIs415UnreadUnderEverySpelling() {
    byte[] csv = ("phone\n" + randomPhone() + "\n").getBytes(StandardCharsets.UTF_8);
    for (String path : List.of("/accounts/users/bulk/upload", "/accounts/users/bulk/upload/",
      "//accounts/users/bulk/upload")) {
      for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "text/csv"}) {
        List<String> headers = new ArrayList<>(List.of("Authorization: Bearer " + admin));
        if (type != null) {
          headers.add("Content-Type: " + type);
        }
        Http.Response r = RawHttp.send(launcher.context().httpPort(), "POST",
          path.getBytes(StandardCharsets.US_ASCII), headers, csv, 10_000);
        ApiErrors.assertError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
      }
    }
  }

  @Test
  void uploadsWithoutTheirClosingBoundaryAreAnsweredAndGiveTheirSlotsBack() {
    // Each held one of the instance's two slots until the idle timeout (120 s): Vert.x's multipart decoder waits for
    // the end of a part that never ends (eclipse-vertx/vert.x#3134). Three in a row: every slot comes back.
    byte[] unterminated = ("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
      + "Content-Type: text/csv\r\n\r\nphone\n" + randomPhone() + "\n").getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 3; i++) {
      long started = System.nanoTime();
      Http.Response r = RawHttp.send(launcher.context().httpPort(), "POST",
        "/accounts/users/bulk/upload".getBytes(StandardCharsets.US_ASCII), List.of("Authorization: Bearer " + admin,
          "Content-Type: multipart/form-data; boundary=XX"), unterminated, 10_000);
      JsonObject error = ApiErrors.assertError(r, 400, "FILE_UPLOAD_ERROR");
      assertTrue(error.getString("message").contains("closing boundary"), error::encode);
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertTrue(ms < 5_000, "answered in " + ms + " ms");
    }
    assertOk(upload("ok.csv", Buffer.buffer("phone\n" + randomPhone() + "\n"), "text/csv"), 200);
  }

  @Test
  void aRefusedUploadDoesNotHoldItsConnection() {
    // One connection: the request after a refused upload must be served on it, not wait for the idle timeout.
    io.vertx.ext.web.client.WebClient one = io.vertx.ext.web.client.WebClient.create(vertx,
      new io.vertx.ext.web.client.WebClientOptions().setDefaultPort(launcher.context().httpPort()).setDefaultHost("127.0.0.1"),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1));
    try {
      byte[] body = new byte[2 * 1024 * 1024];
      java.util.Arrays.fill(body, (byte) 'a');
      String plainUser = tokens.token(java.util.UUID.randomUUID().toString());
      for (int i = 0; i < 2; i++) {
        assertError(await(one.post("/accounts/users/bulk/upload").bearerTokenAuthentication(plainUser)
          .timeout(10_000).sendMultipartForm(io.vertx.ext.web.multipart.MultipartForm.create()
            .binaryFileUpload("file", "users.csv", Buffer.buffer(body), "text/csv"))), 403, "FORBIDDEN");
        assertEquals(200, await(one.get("/accounts/user-groups").bearerTokenAuthentication(admin).timeout(10_000).send())
          .statusCode());
      }
    } finally {
      one.close();
    }
  }

  @Test
  void oversizedFilesAreRefused() {
    byte[] big = new byte[10 * 1024 * 1024 + 70 * 1024];
    java.util.Arrays.fill(big, (byte) 'a');
    assertError(upload("big.csv", Buffer.buffer(big), "text/csv"), 413, "PAYLOAD_TOO_LARGE");
    // The service is fine afterwards.
    assertOk(upload("ok.csv", Buffer.buffer("phone\n" + randomPhone() + "\n"), "text/csv"), 200);
  }

  @Test
  void aZipBombIsRefusedWithA400() throws IOException {
    // 64 MB of repeated rows in a file of a few hundred KB: refused as it inflates, the service unharmed.
    Buffer bomb = withSheet(workbook(new String[][] {{"phone"}}), out -> {
      byte[] chunk = "<row><c t=\"inlineStr\"><is><t>+79990000000</t></is></c></row>".repeat(1000).getBytes(StandardCharsets.US_ASCII);
      out.write("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
        .getBytes(StandardCharsets.US_ASCII));
      for (long n = 0; n < 64L * 1024 * 1024; n += chunk.length) {
        out.write(chunk);
      }
      out.write("</sheetData></worksheet>".getBytes(StandardCharsets.US_ASCII));
    });
    assertTrue(bomb.length() < 1024 * 1024, "bomb of " + bomb.length() + " bytes");
    JsonObject error = assertError(upload("bomb.xlsx", bomb, XLSX), 400, "FILE_UPLOAD_ERROR");
    assertTrue(error.getString("message").contains("inflates past"), error::encode);
    assertOk(upload("ok.csv", Buffer.buffer("phone\n" + randomPhone() + "\n"), "text/csv"), 200);
  }

  @Test
  void anEncryptedWorkbookIsRefusedWithA400() throws Exception {
    byte[] plain = workbook(new String[][] {{"phone"}, {randomPhone()}}).getBytes();
    ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
    try (org.apache.poi.poifs.filesystem.POIFSFileSystem fs = new org.apache.poi.poifs.filesystem.POIFSFileSystem()) {
      org.apache.poi.poifs.crypt.Encryptor encryptor =
        new org.apache.poi.poifs.crypt.EncryptionInfo(org.apache.poi.poifs.crypt.EncryptionMode.agile).getEncryptor();
      encryptor.confirmPassword("secret");
      try (OutputStream os = encryptor.getDataStream(fs)) {
        os.write(plain);
      }
      fs.writeFilesystem(encrypted);
    }
    JsonObject error = assertError(upload("secret.xlsx", Buffer.buffer(encrypted.toByteArray()), XLSX), 400, "FILE_UPLOAD_ERROR");
    assertTrue(error.getString("message").contains("password-protected"), error::encode);
  }

  @Test
  void uploadsPastTheInstancesLimitAreRefusedWith429UntilASlotIsFree() throws Exception {
    // Two uploads that stall mid-body hold both slots (USERS_MAX_CONCURRENT_UPLOADS defaults to 2).
    io.vertx.core.http.HttpClient raw = vertx.createHttpClient();
    io.vertx.ext.web.client.WebClient fresh = io.vertx.ext.web.client.WebClient.create(vertx);
    List<io.vertx.core.http.HttpClientRequest> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        io.vertx.core.http.HttpClientRequest r = await(raw.request(io.vertx.core.http.HttpMethod.POST,
          launcher.context().httpPort(), "127.0.0.1", "/accounts/users/bulk/upload"));
        r.putHeader("Authorization", "Bearer " + admin).putHeader("Content-Type", "multipart/form-data; boundary=XX")
          .setChunked(true).exceptionHandler(e -> { });
        await(r.write("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
          + "Content-Type: text/csv\r\n\r\nphone\n"));
        stalled.add(r);
      }
      // A header-only file: accepted while a slot is still free (nothing created), refused once both are held. Sent
      // on a client of its own, each with a timeout: a pooled connection of an earlier test (a 413 whose body the
      // server is still draining) must not queue these behind it.
      assertTrue(eventually(10_000, () -> headerOnlyUpload(fresh) == 429));
      io.vertx.ext.web.client.HttpResponse<Buffer> refused = await(headerOnlyRequest(fresh));
      assertError(refused, 429, "RATE_LIMITED");
      assertEquals("5", refused.getHeader("Retry-After"));
    } finally {
      for (io.vertx.core.http.HttpClientRequest r : stalled) {
        r.connection().close();
      }
    }
    // Their connections closed, the slots come back.
    assertTrue(eventually(10_000, () -> headerOnlyUpload(fresh) == 200));
    fresh.close();
    await(raw.close());
  }

  private io.vertx.core.Future<io.vertx.ext.web.client.HttpResponse<Buffer>> headerOnlyRequest(
      io.vertx.ext.web.client.WebClient client) {
    return client.post(launcher.context().httpPort(), "127.0.0.1", "/accounts/users/bulk/upload")
      .bearerTokenAuthentication(admin).timeout(5_000)
      .sendMultipartForm(io.vertx.ext.web.multipart.MultipartForm.create()
        .binaryFileUpload("file", "u.csv", Buffer.buffer("phone\n"), "text/csv"));
  }

  /** The status of a header-only upload, or -1 when it did not answer within its timeout. */
  private int headerOnlyUpload(io.vertx.ext.web.client.WebClient client) {
    try {
      return await(headerOnlyRequest(client)).statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  interface PartWriter {
    void write(OutputStream out) throws IOException;
  }

  /** The workbook with its first sheet's XML replaced by what {@code sheet} writes. */
  private static Buffer withSheet(Buffer xlsx, PartWriter sheet) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(xlsx.getBytes()));
         ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.putNextEntry(new ZipEntry(e.getName()));
        if (e.getName().equals("xl/worksheets/sheet1.xml")) {
          sheet.write(out);
        } else {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  private static Buffer workbook(String[][] rows) throws IOException {
    return Buffer.buffer(com.paysvc.users.service.Workbooks.of(new XSSFWorkbook(), rows));
  }
}

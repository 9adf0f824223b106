package com.paysvc.users.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import org.apache.poi.hssf.record.crypto.Biff8EncryptionKey;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upload parser on crafted files, without any server: bombs, encrypted and wrapped workbooks, size bounds. */
class UserFileParserTest {
  private static final String MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  private static final String SHEET = "xl/worksheets/sheet1.xml";
  private final UserFileParser parser = new UserFileParser();

  @TempDir
  Path dir;

  // Regression: ordinary files --------------------------------------------------------------------------------------

  @Test
  void ordinaryCsvXlsxAndXlsAreRead() throws IOException {
    String[][] rows = {{"phone", "user_groups"}, {"+79990000001", "client, driver"}, {"", "client"}};
    Path csv = write("u.csv", "\uFEFFphone,user_groups\n+79990000001,\"client, driver\"\n,client\n"
      .getBytes(StandardCharsets.UTF_8));
    for (Path file : List.of(csv, write("u.xlsx", workbook(new XSSFWorkbook(), rows)),
      write("u.xls", workbook(new HSSFWorkbook(), rows)))) {
      List<UploadRow> read = parser.parse(file, UserFileParser.kindOf(file.getFileName().toString()));
      assertEquals(List.of(UploadRow.ok(1, "+79990000001", List.of("client", "driver")), UploadRow.bad(2, "phone is empty")),
        read, file.toString());
    }
  }

  @Test
  void fullSizeWorkbooksFitTheLimits() throws IOException {
    // The largest upload meant to be accepted: 10,000 rows of phone and user_groups, as .xlsx and as .xls.
    String[][] rows = new String[UserFileParser.MAX_ROWS + 1][];
    rows[0] = new String[] {"phone", "user_groups"};
    Random random = new Random(1);
    for (int i = 1; i < rows.length; i++) {
      rows[i] = new String[] {"+79" + (100_000_000 + random.nextInt(899_999_999)), i % 3 == 0 ? "client,driver" : "client"};
    }
    for (Path file : List.of(write("big.xlsx", workbook(new XSSFWorkbook(), rows)),
      write("big.xls", workbook(new HSSFWorkbook(), rows)))) {
      List<UploadRow> read = parser.parse(file, UserFileParser.kindOf(file.getFileName().toString()));
      assertEquals(UserFileParser.MAX_ROWS, read.size(), file.toString());
      assertTrue(read.stream().allMatch(r -> r.error() == null), file.toString());
    }
  }

  // XLSX: zip bombs and oversized parts -----------------------------------------------------------------------------

  @Test
  void aZipBombIsRefusedAtOnceWithoutInflatingIt() throws IOException {
    // 64 MB of repeated rows, a few hundred KB compressed.
    byte[] chunk = "<row><c t=\"inlineStr\"><is><t>+79990000000</t></is></c></row>".repeat(1000)
      .getBytes(StandardCharsets.US_ASCII);
    long inflated = 64L * 1024 * 1024;
    Path bomb = xlsx("bomb.xlsx", Map.of(SHEET, out -> {
      out.write(("<worksheet xmlns=\"" + MAIN_NS + "\"><sheetData>").getBytes(StandardCharsets.US_ASCII));
      for (long n = 0; n < inflated; n += chunk.length) {
        out.write(chunk);
      }
      out.write("</sheetData></worksheet>".getBytes(StandardCharsets.US_ASCII));
    }));
    assertTrue(Files.size(bomb) < inflated / 100, "compressed: " + Files.size(bomb));

    long allocated = allocatedBytes();
    long start = System.nanoTime();
    ApiException e = refused(bomb, "inflates past 4 MB or compresses over 100 times");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    allocated = allocatedBytes() - allocated;
    assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
    assertTrue(allocated < inflated / 4, "allocated " + allocated + " bytes for " + e.getMessage());
  }

  @Test
  void aSheetPastTheSizeBoundIsRefusedEvenIfItCompressesLikeRealData() throws IOException {
    // 1,000 rows of 5 KB of random letters: ~5 MB that compress to ~60 %, no bomb by ratio, too big all the same.
    Random random = new Random(2);
    Path big = xlsx("big.xlsx", Map.of(SHEET, out -> {
      out.write(("<worksheet xmlns=\"" + MAIN_NS + "\"><sheetData>").getBytes(StandardCharsets.US_ASCII));
      out.write(row(1, "phone", "note").getBytes(StandardCharsets.US_ASCII));
      for (int r = 2; r <= 1000; r++) {
        StringBuilder note = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
          note.append((char) ('a' + random.nextInt(26)));
        }
        out.write(row(r, "+7999" + (1_000_000 + r), note.toString()).getBytes(StandardCharsets.US_ASCII));
      }
      out.write("</sheetData></worksheet>".getBytes(StandardCharsets.US_ASCII));
    }));
    refused(big, "inflates past 4 MB");
  }

  @Test
  void contentTypesRelationshipsAndStylesAreHeldToTheirOwnBound() throws IOException {
    // POI reads these into DOM / XMLBeans trees: 300 KB of padding (a comment of random letters: it compresses like
    // text, no bomb by ratio) is refused before they are parsed.
    Random random = new Random(4);
    StringBuilder padding = new StringBuilder("<!--");
    for (int i = 0; i < 300 * 1024; i++) {
      padding.append((char) ('a' + random.nextInt(26)));
    }
    padding.append("-->");
    byte[] base = workbook(new XSSFWorkbook(), new String[][] {{"phone"}, {"+79990000001"}});
    for (String part : List.of("[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/styles.xml")) {
      Path padded = rewrite("padded.xlsx", base, Map.of(part, out -> out.write(padded(entry(base, part), padding.toString()))));
      ApiException e = refused(padded, "larger than 256 KB");
      assertTrue(e.getMessage().contains(part.endsWith("styles.xml") ? "styles" : part), e.getMessage());
    }
  }

  @Test
  void aPackageOfTooManyPartsIsRefusedBeforePoiListsThem() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i <= UserFileParser.MAX_PARTS; i++) {
        zip.putNextEntry(new ZipEntry("p" + i + ".xml"));
        zip.closeEntry();
      }
    }
    refused(write("parts.xlsx", bytes.toByteArray()), "more than 1000 parts");
  }

  @Test
  void aLongSharedStringNamedByEveryRowIsRefusedRowByRow() throws IOException {
    // One 1 MB string of group names (random: it compresses like text) that all 10,000 rows name by its index.
    Random random = new Random(3);
    StringBuilder groups = new StringBuilder();
    while (groups.length() < 1024 * 1024) {
      groups.append('g').append(random.nextInt(1_000_000)).append(',');
    }
    Path file = xlsx("shared.xlsx", Map.of(
      "xl/sharedStrings.xml", out -> out.write(("<sst xmlns=\"" + MAIN_NS + "\"><si><t>phone</t></si><si><t>user_groups</t></si>"
        + "<si><t>" + groups + "</t></si></sst>").getBytes(StandardCharsets.US_ASCII)),
      SHEET, out -> {
        out.write(("<worksheet xmlns=\"" + MAIN_NS + "\"><sheetData>"
          + "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>").getBytes(StandardCharsets.US_ASCII));
        for (int r = 2; r <= UserFileParser.MAX_ROWS + 1; r++) {
          out.write(("<row r=\"" + r + "\"><c r=\"A" + r + "\" t=\"inlineStr\"><is><t>+7999" + (1_000_000 + r) + "</t></is></c>"
            + "<c r=\"B" + r + "\" t=\"s\"><v>2</v></c></row>").getBytes(StandardCharsets.US_ASCII));
        }
        out.write("</sheetData></worksheet>".getBytes(StandardCharsets.US_ASCII));
      }));
    long allocated = allocatedBytes();
    List<UploadRow> rows = parser.parse(file, UserFileParser.Kind.XLSX);
    allocated = allocatedBytes() - allocated;
    assertEquals(UserFileParser.MAX_ROWS, rows.size());
    assertTrue(rows.stream().allMatch(r -> "user_groups is longer than 1400 characters".equals(r.error())), rows.get(0)::toString);
    // Split once per row, the string would have cost 10,000 x ~10 MB.
    assertTrue(allocated < 512L * 1024 * 1024, "allocated " + allocated);
  }

  @Test
  void rowsBeyondTheContractsLimitsAreErrorRows() throws IOException {
    String groups21 = String.join(",", java.util.Collections.nCopies(21, "client"));
    Path csv = write("limits.csv", ("phone,user_groups\n"
      + "+79990000001,\"" + groups21 + "\"\n"
      + "+7" + "9".repeat(400) + ",client\n"
      + "+79990000002,\"" + "g,".repeat(800) + "\"\n"
      + "+79990000003,\"" + String.join(",", java.util.Collections.nCopies(20, "client")) + "\"\n")
      .getBytes(StandardCharsets.UTF_8));
    List<UploadRow> rows = parser.parse(csv, UserFileParser.Kind.CSV);
    assertEquals("at most 20 user_groups per row", rows.get(0).error());
    assertEquals("phone is longer than 320 characters", rows.get(1).error());
    assertEquals("user_groups is longer than 1400 characters", rows.get(2).error());
    assertEquals(20, rows.get(3).groups().size());
  }

  // Encrypted and wrapped workbooks ---------------------------------------------------------------------------------

  @Test
  void anEncryptedXlsxIsRefused() throws Exception {
    byte[] plain = workbook(new XSSFWorkbook(), new String[][] {{"phone"}, {"+79990000001"}});
    byte[] encrypted = encryptedOoxml(plain);
    refused(write("secret.xlsx", encrypted), "password-protected");
    // The same container named .xls: opened as OLE2, found to be an encrypted package.
    refused(write("secret.xls", encrypted), "password-protected");
  }

  @Test
  void anEncryptedXlsIsRefused() throws IOException {
    byte[] xls;
    Biff8EncryptionKey.setCurrentUserPassword("secret");
    try {
      xls = workbook(new HSSFWorkbook(), new String[][] {{"phone"}, {"+79990000001"}});
    } finally {
      Biff8EncryptionKey.setCurrentUserPassword(null);
    }
    refused(write("secret.xls", xls), "password-protected");
  }

  @Test
  void anXlsxWrappedInAnOle2ContainerIsRefused() throws IOException {
    byte[] plain = workbook(new XSSFWorkbook(), new String[][] {{"phone"}, {"+79990000001"}});
    ByteArrayOutputStream wrapped = new ByteArrayOutputStream();
    try (POIFSFileSystem fs = new POIFSFileSystem()) {
      fs.createDocument(new ByteArrayInputStream(plain), "Package");
      fs.writeFilesystem(wrapped);
    }
    refused(write("wrapped.xls", wrapped.toByteArray()), "wraps an .xlsx");
  }

  // XLS size bound --------------------------------------------------------------------------------------------------

  @Test
  void anXlsOverTheSizeBoundIsRefusedUnread() throws IOException {
    // An OLE2 header, then anything: the size alone refuses it, before POI reads a byte of it.
    byte[] xls = new byte[(int) UserFileParser.MAX_XLS_BYTES + 1];
    System.arraycopy(workbook(new HSSFWorkbook(), new String[][] {{"phone"}}), 0, xls, 0, 512);
    refused(write("big.xls", xls), "at most 1 MB");
  }

  // Helpers ---------------------------------------------------------------------------------------------------------

  private ApiException refused(Path file, String messagePart) {
    ApiException e = assertThrows(ApiException.class,
      () -> parser.parse(file, UserFileParser.kindOf(file.getFileName().toString())));
    assertEquals(ErrorCode.FILE_UPLOAD_ERROR, e.code());
    assertEquals(400, e.code().status());
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    return e;
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private static byte[] workbook(Workbook wb, String[][] rows) throws IOException {
    return Workbooks.of(wb, rows);
  }

  private static String row(int r, String a, String b) {
    return "<row r=\"" + r + "\"><c r=\"A" + r + "\" t=\"inlineStr\"><is><t>" + a + "</t></is></c>"
      + "<c r=\"B" + r + "\" t=\"inlineStr\"><is><t>" + b + "</t></is></c></row>";
  }

  interface PartWriter {
    void write(OutputStream out) throws IOException;
  }

  /** A minimal POI-written workbook whose named parts are replaced by what the writers write. */
  private Path xlsx(String name, Map<String, PartWriter> parts) throws IOException {
    return rewrite(name, workbook(new XSSFWorkbook(), new String[][] {{"phone"}}), parts);
  }

  private Path rewrite(String name, byte[] base, Map<String, PartWriter> parts) throws IOException {
    Path file = dir.resolve(name);
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(base));
         ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      boolean[] seen = new boolean[1];
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        out.putNextEntry(new ZipEntry(e.getName()));
        PartWriter writer = parts.get(e.getName());
        if (writer != null) {
          writer.write(out);
        } else {
          in.transferTo(out);
        }
        out.closeEntry();
        seen[0] |= writer != null;
      }
      assertTrue(seen[0], "no part replaced");
    }
    return file;
  }

  private static byte[] entry(byte[] zip, String name) throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.getName().equals(name)) {
          return in.readAllBytes();
        }
      }
    }
    throw new IllegalArgumentException(name);
  }

  /** The XML with {@code padding} before its root element's end tag. */
  private static byte[] padded(byte[] xml, String padding) {
    String s = new String(xml, StandardCharsets.UTF_8);
    int end = s.lastIndexOf("</");
    return (s.substring(0, end) + padding + s.substring(end)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] encryptedOoxml(byte[] plain) throws Exception {
    try (POIFSFileSystem fs = new POIFSFileSystem(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      EncryptionInfo info = new EncryptionInfo(EncryptionMode.agile);
      Encryptor encryptor = info.getEncryptor();
      encryptor.confirmPassword("secret");
      try (OutputStream os = encryptor.getDataStream(fs)) {
        os.write(plain);
      }
      fs.writeFilesystem(out);
      return out.toByteArray();
    }
  }
}

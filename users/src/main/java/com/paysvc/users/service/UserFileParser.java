package com.paysvc.users.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.EncryptedDocumentException;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.openxml4j.opc.PackagePart;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.poi.poifs.crypt.Decryptor;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.filesystem.DirectoryNode;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.util.IOUtils;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFComment;
import org.apache.poi.xssf.usermodel.XSSFRelation;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the bulk-upload file (columns {@code phone}, {@code user_groups}) into rows. Blocking: run it on a
 * worker. The extension picks the format and the first bytes must agree with it (a renamed binary is refused).
 * CSV and XLSX are read streaming; legacy XLS (no streaming reader without the low-level event API) is loaded
 * whole, so its size is bounded. Workbooks are untrusted: the limits below hold one upload to tens of MB of heap,
 * and encrypted or OLE2-wrapped workbooks are refused. A row that cannot be read becomes an error row; the others go
 * on.
 */
public final class UserFileParser {
  public static final int MAX_ROWS = 10_000;
  private static final byte[] ZIP = {0x50, 0x4B, 0x03, 0x04};
  private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};
  // The entry of an OLE2 container that WorkbookFactory would open an OOXML package from.
  private static final String OOXML_IN_OLE2 = "Package";

  // XLSX. 10,000 rows of phone and user_groups are ~1 MB of sheet XML (measured, POI-written), with ten text columns
  // 4.2 MB: no part may inflate past 4 MB. A part being parsed can cost ~4x its size (a cell or an attribute is
  // buffered whole, measured), the shared strings ~2x, kept while the sheet is read.
  static final long MAX_PART_BYTES = 4L * 1024 * 1024;
  // Real parts compress to 10-60 % of their size, repeated filler to 0.1 %: under 1 % (POI's default, checked past
  // 100 KB) is a zip bomb, refused as it inflates. The size bound above is what caps memory.
  private static final double MIN_INFLATE_RATIO = 0.01;
  // Content types, relationships and styles are a few KB (a heavily formatted workbook's styles ~100 KB), but POI
  // turns them into DOM / XMLBeans trees of 5-9x their size (measured): 256 KB each.
  static final int MAX_META_BYTES = 256 * 1024;
  // A workbook has 10-30 parts. POI's zip reader keeps an object per central-directory entry before POI counts
  // them, so they are counted first; 1,000 is POI's own default.
  static final int MAX_PARTS = 1000;
  // XLS. HSSF keeps the whole workbook as objects: 8x the file for text cells (650 KB for 10,000 rows of phone and
  // user_groups, measured), 35x for a crafted sheet of blank cells. 1 MB holds one .xls to ~35 MB of heap.
  static final long MAX_XLS_BYTES = 1024 * 1024;
  // A row's values, to the contract's limits (a contact value has at most 320 characters, a user at most 20 groups
  // named in at most 64: 1,400 holds them with their separators). Unbounded, one long shared string named by every
  // row of a sheet would be copied and split once per row.
  static final int MAX_PHONE_CHARS = 320;
  static final int MAX_GROUPS = 20;
  static final int MAX_GROUPS_CHARS = 1400;

  static {
    // JVM-wide statics of POI, whose only user in the service is this parser.
    ZipSecureFile.setMaxEntrySize(MAX_PART_BYTES);
    ZipSecureFile.setMinInflateRatio(MIN_INFLATE_RATIO);
    ZipSecureFile.setMaxFileCount(MAX_PARTS);
    // Read by POI's text extractors only (none here): the same bound, should one be used.
    ZipSecureFile.setMaxTextSize(MAX_PART_BYTES);
    // No array POI sizes from a length the file declares (records, pictures) may exceed the largest .xls accepted.
    IOUtils.setByteArrayMaxOverride((int) MAX_XLS_BYTES);
  }

  public enum Kind { CSV, XLSX, XLS }

  /** The format named by a file name's extension, or a FILE_UPLOAD_ERROR. */
  public static Kind kindOf(String fileName) {
    String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return Kind.CSV;
    }
    if (name.endsWith(".xlsx")) {
      return Kind.XLSX;
    }
    if (name.endsWith(".xls")) {
      return Kind.XLS;
    }
    throw uploadError("unsupported file type: expected .csv, .xlsx or .xls");
  }

  public List<UploadRow> parse(Path file, Kind kind) {
    sniff(file, kind);
    try {
      return switch (kind) {
        case CSV -> csv(file);
        case XLSX -> xlsx(file);
        case XLS -> xls(file);
      };
    } catch (ApiException e) {
      throw e;
    } catch (Exception e) {
      if (isZipBomb(e)) {
        throw uploadError("a part of the workbook inflates past " + MAX_PART_BYTES / (1024 * 1024)
          + " MB or compresses over " + Math.round(1 / MIN_INFLATE_RATIO) + " times: not accepted");
      }
      throw uploadError("the file cannot be read as " + kind.name().toLowerCase(Locale.ROOT));
    }
  }

  /** POI's zip-bomb guard fails the read with an IOException of this message, wrapped by whatever was reading. */
  private static boolean isZipBomb(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("Zip bomb detected")) {
        return true;
      }
    }
    return false;
  }

  private static void sniff(Path file, Kind kind) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(4096);
    } catch (IOException e) {
      throw uploadError("cannot read the uploaded file");
    }
    if (head.length == 0) {
      throw uploadError("the file is empty");
    }
    boolean zip = startsWith(head, ZIP);
    boolean ole2 = startsWith(head, OLE2);
    if (kind == Kind.XLSX && ole2) {
      // An encrypted .xlsx is an OLE2 container (EncryptionInfo, EncryptedPackage); it is not opened to find out.
      throw uploadError("the .xlsx file is an OLE2 container: a password-protected (encrypted) workbook or an .xls;"
        + " save it as .xlsx without a password");
    }
    boolean matches = switch (kind) {
      case XLSX -> zip;
      case XLS -> ole2;
      case CSV -> !zip && !ole2 && isUtf8Text(head);
    };
    if (!matches) {
      throw uploadError("the file content does not match its ." + kind.name().toLowerCase(Locale.ROOT) + " extension");
    }
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length && Arrays.equals(Arrays.copyOf(data, prefix.length), prefix);
  }

  private static boolean isUtf8Text(byte[] head) {
    for (byte b : head) {
      if (b == 0) {
        return false;
      }
    }
    // The sample may cut a multi-byte character at its end: drop up to 3 trailing bytes before decoding.
    for (int cut = 0; cut <= 3 && cut < head.length; cut++) {
      try {
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(head, 0, head.length - cut));
        return true;
      } catch (CharacterCodingException e) {
        // try a shorter sample
      }
    }
    return false;
  }

  private List<UploadRow> csv(Path file) throws IOException {
    List<UploadRow> rows = new ArrayList<>();
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
      .setIgnoreHeaderCase(true).setTrim(true).setIgnoreEmptyLines(true).get();
    try (Reader reader = withoutBom(Files.newBufferedReader(file, StandardCharsets.UTF_8));
         CSVParser parser = CSVParser.builder().setReader(reader).setFormat(format).get()) {
      Map<String, Integer> header = parser.getHeaderMap();
      if (header == null || !header.containsKey("phone")) {
        throw uploadError("the header row must name a phone column (and optionally user_groups)");
      }
      int rowNo = 0;
      var it = parser.iterator();
      while (true) {
        CSVRecord record;
        try {
          if (!it.hasNext()) {
            break;
          }
          record = it.next();
        } catch (RuntimeException e) {
          // Broken quoting makes the rest of the file unreadable: keep what was read, report where it broke.
          rows.add(UploadRow.bad(rowNo + 1, "malformed CSV from this row on"));
          break;
        }
        rowNo++;
        limit(rowNo);
        String phone = record.isMapped("phone") && record.isSet("phone") ? record.get("phone") : "";
        String groups = record.isMapped("user_groups") && record.isSet("user_groups") ? record.get("user_groups") : "";
        rows.add(row(rowNo, phone, groups));
      }
    }
    return rows;
  }

  private static Reader withoutBom(Reader in) throws IOException {
    PushbackReader reader = new PushbackReader(in, 1);
    int first = reader.read();
    if (first != -1 && first != '\uFEFF') {
      reader.unread(first);
    }
    return reader;
  }

  private List<UploadRow> xlsx(Path file) throws Exception {
    checkPackage(file);
    SheetRows collector = new SheetRows();
    try (OPCPackage pkg = OPCPackage.open(file.toFile(), PackageAccess.READ)) {
      XSSFReader reader = new XSSFReader(pkg);
      ReadOnlySharedStringsTable strings = new ReadOnlySharedStringsTable(pkg);
      StylesTable styles = styles(pkg);
      var sheets = reader.getSheetsData();
      if (!sheets.hasNext()) {
        throw uploadError("the workbook has no sheet");
      }
      try (InputStream sheet = sheets.next()) {
        XMLReader xml = XMLHelper.newXMLReader();
        xml.setContentHandler(new XSSFSheetXMLHandler(styles, strings, collector, new DataFormatter(), false));
        xml.parse(new InputSource(sheet));
      }
    }
    return collector.result();
  }

  /**
   * Before POI opens the package: the number of parts, and the content types and relationships (which POI reads into
   * DOM trees) inflated to at most {@link #MAX_META_BYTES} each. Nothing read is kept.
   */
  private static void checkPackage(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      if (zip.size() > MAX_PARTS) {
        throw uploadError("the workbook has more than " + MAX_PARTS + " parts");
      }
      for (ZipEntry entry : Collections.list(zip.entries())) {
        String name = entry.getName().toLowerCase(Locale.ROOT);
        if (name.equals("[content_types].xml") || name.endsWith(".rels")) {
          try (InputStream in = zip.getInputStream(entry)) {
            if (in.readNBytes(MAX_META_BYTES + 1).length > MAX_META_BYTES) {
              throw uploadError("the workbook's " + entry.getName() + " is larger than " + MAX_META_BYTES / 1024 + " KB");
            }
          }
        }
      }
    }
  }

  /** The number formats of the workbook: its styles part if at most {@link #MAX_META_BYTES}, without the theme (colours). */
  private static StylesTable styles(OPCPackage pkg) throws IOException {
    List<PackagePart> parts = pkg.getPartsByContentType(XSSFRelation.STYLES.getContentType());
    if (parts.isEmpty()) {
      return null;
    }
    byte[] xml;
    try (InputStream in = parts.get(0).getInputStream()) {
      xml = in.readNBytes(MAX_META_BYTES + 1);
    }
    if (xml.length > MAX_META_BYTES) {
      throw uploadError("the workbook's styles are larger than " + MAX_META_BYTES / 1024 + " KB");
    }
    return new StylesTable(new ByteArrayInputStream(xml));
  }

  private List<UploadRow> xls(Path file) throws IOException {
    if (Files.size(file) > MAX_XLS_BYTES) {
      throw uploadError("an .xls file may be at most " + MAX_XLS_BYTES / (1024 * 1024) + " MB: save it as .xlsx or .csv");
    }
    SheetRows collector = new SheetRows();
    DataFormatter formatter = new DataFormatter();
    try (POIFSFileSystem fs = new POIFSFileSystem(file.toFile(), true)) {
      DirectoryNode root = fs.getRoot();
      if (root.hasEntry(EncryptionInfo.ENCRYPTION_INFO_ENTRY) || root.hasEntry(Decryptor.DEFAULT_POIFS_ENTRY)) {
        throw encrypted();
      }
      if (root.hasEntry(OOXML_IN_OLE2)) {
        throw uploadError("the .xls file wraps an .xlsx workbook: send the .xlsx itself");
      }
      // HSSF straight away, not WorkbookFactory: that would also open the OOXML packages refused above.
      try (HSSFWorkbook wb = new HSSFWorkbook(root, false)) {
        if (wb.getNumberOfSheets() == 0) {
          throw uploadError("the workbook has no sheet");
        }
        Sheet sheet = wb.getSheetAt(0);
        for (Row row : sheet) {
          collector.startRow(row.getRowNum());
          for (Cell cell : row) {
            collector.cell(new CellReference(row.getRowNum(), cell.getColumnIndex()).formatAsString(),
              formatter.formatCellValue(cell), null);
          }
          collector.endRow(row.getRowNum());
        }
      }
    } catch (EncryptedDocumentException e) {
      // A FILEPASS record (an encrypted .xls) that POI's default password does not open.
      throw encrypted();
    }
    return collector.result();
  }

  private static ApiException encrypted() {
    return uploadError("the workbook is password-protected (encrypted): save it without a password");
  }

  /** Collects a sheet: the first non-empty row is the header, later rows are data. */
  private final class SheetRows implements XSSFSheetXMLHandler.SheetContentsHandler {
    private final List<UploadRow> rows = new ArrayList<>();
    private Map<String, Integer> header;
    private final Map<Integer, String> current = new HashMap<>();
    private int dataRows;

    @Override
    public void startRow(int rowNum) {
      current.clear();
    }

    @Override
    public void cell(String ref, String value, XSSFComment comment) {
      if (ref != null && value != null) {
        // A value over every limit of row() is refused as it is: trimming would copy it, once per row naming it.
        current.put((int) new CellReference(ref).getCol(), value.length() > MAX_GROUPS_CHARS ? value : value.trim());
      }
    }

    @Override
    public void endRow(int rowNum) {
      if (current.values().stream().allMatch(String::isEmpty)) {
        return;
      }
      if (header == null) {
        header = new HashMap<>();
        current.forEach((col, name) -> header.put(name.toLowerCase(Locale.ROOT), col));
        if (!header.containsKey("phone")) {
          throw uploadError("the header row must name a phone column (and optionally user_groups)");
        }
        return;
      }
      dataRows++;
      limit(dataRows);
      String phone = current.getOrDefault(header.get("phone"), "");
      Integer groupsCol = header.get("user_groups");
      String groups = groupsCol == null ? "" : current.getOrDefault(groupsCol, "");
      rows.add(row(dataRows, phone, groups));
    }

    List<UploadRow> result() {
      if (header == null) {
        throw uploadError("the sheet is empty");
      }
      return rows;
    }
  }

  private static UploadRow row(int rowNo, String phone, String groups) {
    // Lengths first: a long value is refused without a scan or a copy of it.
    if (phone != null && phone.length() > MAX_PHONE_CHARS) {
      return UploadRow.bad(rowNo, "phone is longer than " + MAX_PHONE_CHARS + " characters");
    }
    if (phone == null || phone.isBlank()) {
      return UploadRow.bad(rowNo, "phone is empty");
    }
    if (groups.length() > MAX_GROUPS_CHARS) {
      return UploadRow.bad(rowNo, "user_groups is longer than " + MAX_GROUPS_CHARS + " characters");
    }
    List<String> names = new ArrayList<>();
    for (String g : groups.split(",")) {
      if (!g.isBlank()) {
        names.add(g.trim());
      }
    }
    if (names.size() > MAX_GROUPS) {
      return UploadRow.bad(rowNo, "at most " + MAX_GROUPS + " user_groups per row");
    }
    return UploadRow.ok(rowNo, phone.trim(), names);
  }

  private static void limit(int rowNo) {
    if (rowNo > MAX_ROWS) {
      throw uploadError("too many rows: at most " + MAX_ROWS + " per file");
    }
  }

  static ApiException uploadError(String message) {
    return new ApiException(ErrorCode.FILE_UPLOAD_ERROR, message);
  }
}

package com.paysvc.users.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler;
import org.apache.poi.xssf.usermodel.XSSFComment;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the bulk-upload file (columns {@code phone}, {@code user_groups}) into rows. Blocking: run it on a
 * worker. The extension picks the format and the first bytes must agree with it (a renamed binary is refused).
 * CSV and XLSX are read streaming; legacy XLS (no streaming reader without the low-level event API) is bounded
 * by the 10 MB upload limit. A row that cannot be read becomes an error row; the others go on.
 */
public final class UserFileParser {
  public static final int MAX_ROWS = 10_000;
  private static final byte[] ZIP = {0x50, 0x4B, 0x03, 0x04};
  private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};

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
      throw uploadError("the file cannot be read as " + kind.name().toLowerCase(Locale.ROOT));
    }
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
    SheetRows collector = new SheetRows();
    try (OPCPackage pkg = OPCPackage.open(file.toFile(), PackageAccess.READ)) {
      XSSFReader reader = new XSSFReader(pkg);
      ReadOnlySharedStringsTable strings = new ReadOnlySharedStringsTable(pkg);
      var sheets = reader.getSheetsData();
      if (!sheets.hasNext()) {
        throw uploadError("the workbook has no sheet");
      }
      try (InputStream sheet = sheets.next()) {
        XMLReader xml = XMLHelper.newXMLReader();
        xml.setContentHandler(new XSSFSheetXMLHandler(reader.getStylesTable(), strings, collector, new DataFormatter(), false));
        xml.parse(new InputSource(sheet));
      }
    }
    return collector.result();
  }

  private List<UploadRow> xls(Path file) throws IOException {
    SheetRows collector = new SheetRows();
    DataFormatter formatter = new DataFormatter();
    try (Workbook wb = WorkbookFactory.create(file.toFile(), null, true)) {
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
    return collector.result();
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
        current.put((int) new CellReference(ref).getCol(), value.trim());
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
    if (phone == null || phone.isBlank()) {
      return UploadRow.bad(rowNo, "phone is empty");
    }
    List<String> names = new ArrayList<>();
    for (String g : groups.split(",")) {
      if (!g.isBlank()) {
        names.add(g.trim());
      }
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

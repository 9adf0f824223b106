package com.paysvc.users.service;

import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Upload files for the tests: one sheet "users" of the given rows, in the format of {@code wb} (XSSF or HSSF). */
public final class Workbooks {
  private Workbooks() {
  }

  public static byte[] of(Workbook wb, String[][] rows) throws IOException {
    try (wb; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      Sheet sheet = wb.createSheet("users");
      for (int r = 0; r < rows.length; r++) {
        Row row = sheet.createRow(r);
        for (int c = 0; c < rows[r].length; c++) {
          row.createCell(c).setCellValue(rows[r][c]);
        }
      }
      wb.write(out);
      return out.toByteArray();
    }
  }
}

package com.paysvc.users.service;

import java.util.List;

/**
 * One data row of an uploaded file (rows count from 1, the header is row 0): either the values to create a user
 * from, or why the row could not be read.
 */
public record UploadRow(int row, String phone, List<String> groups, String error) {
  public static UploadRow ok(int row, String phone, List<String> groups) {
    return new UploadRow(row, phone, groups, null);
  }

  public static UploadRow bad(int row, String error) {
    return new UploadRow(row, null, List.of(), error);
  }
}

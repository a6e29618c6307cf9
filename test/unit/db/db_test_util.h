// Reads shared by the SQLite layer's tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <db/sqlite.h>

namespace blockstack::db::test_util {

// Column `col` of the first row of `sql`, as text (integers come back as decimal).
inline std::string QueryText(Sqlite& db, const std::string& sql, int col = 0) {
  auto s = db.Prepare(sql);
  EXPECT_TRUE(s) << sql;
  if (!s) return "";
  auto row = (*s)->Step();
  EXPECT_TRUE(row && *row) << sql;
  std::string out = row && *row ? (*s)->Text(col) : "";
  (*s)->Reset();
  return out;
}

// Rows of table t, checking that every value `t.v` is `value_bytes` long.
inline int64_t CountRows(Sqlite& db, int64_t value_bytes) {
  const int64_t n = std::stoll(QueryText(db, "SELECT COUNT(*) FROM t"));
  EXPECT_EQ(QueryText(db, "SELECT COALESCE(SUM(LENGTH(v)), 0) FROM t"), std::to_string(n * value_bytes));
  return n;
}

inline std::string IntegrityCheck(Sqlite& db) { return QueryText(db, "PRAGMA integrity_check"); }

}  // namespace blockstack::db::test_util

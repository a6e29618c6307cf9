// A thin RAII layer over the SQLite C API. Errors become util::Error (IoError,
// or Corruption for a damaged file); no exception crosses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <util/bytes.h>
#include <util/result.h>

struct sqlite3;
struct sqlite3_stmt;

namespace blockstack::db {

class Statement;

class Sqlite {
 public:
  // Opens (creating when allowed) the database in WAL mode with a busy timeout.
  // page_size (bytes, a power of two) applies when the file is created.
  static util::Result<Sqlite> Open(const std::string& path, bool read_only, int page_size = 0);
  Sqlite(Sqlite&& o) noexcept;
  Sqlite& operator=(Sqlite&& o) noexcept;
  Sqlite(const Sqlite&) = delete;
  ~Sqlite();

  util::Status Exec(std::string_view sql);
  // A prepared statement cached by its text; valid until the next Prepare of the
  // same text finishes using it (statements are reset on each Prepare).
  util::Result<Statement*> Prepare(const std::string& sql);
  int64_t Changes() const;
  // The rowid of the last row this connection inserted.
  int64_t LastInsertRowid() const;
  sqlite3* Handle() { return m_db; }

 private:
  Sqlite() = default;
  util::Error LastError(std::string_view what) const;
  sqlite3* m_db = nullptr;
  struct Cache;
  Cache* m_cache = nullptr;
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) : m_stmt(s) {}
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t v);
  Statement& Bind(int index, double v);
  Statement& Bind(int index, std::string_view v);
  Statement& Bind(int index, const std::string& v) { return Bind(index, std::string_view(v)); }
  Statement& Bind(int index, const char* v) { return Bind(index, std::string_view(v)); }
  Statement& Bind(int index, const std::optional<std::string>& v);
  Statement& BindNull(int index);
  Statement& BindBlob(int index, util::ByteView v);
  // Steps once: true when a row is available, false when done.
  util::Result<bool> Step();
  // Runs to completion (for statements that return no rows).
  util::Status Run();
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  util::Bytes Blob(int col) const;

 private:
  sqlite3_stmt* m_stmt;
};

// Calls on_row(statement) for every remaining row of a bound statement, then
// resets it (also on failure).
template <class F>
util::Status ForEachRow(Statement* s, F on_row) {
  while (true) {
    auto row = s->Step();
    if (!row) {
      s->Reset();
      return util::Unexpected(row.error());
    }
    if (!*row) break;
    on_row(*s);
  }
  s->Reset();
  return util::Ok();
}

// Runs `body` (returning a Status) in one write transaction: committed when it
// succeeds, rolled back (and its error returned) when it fails.
template <class F>
util::Status InTransaction(Sqlite& db, F body) {
  BS_CHECK_OK(db.Exec("BEGIN IMMEDIATE"));
  if (auto st = body(); !st) {
    (void)db.Exec("ROLLBACK");
    return st;
  }
  return db.Exec("COMMIT");
}

}  // namespace blockstack::db

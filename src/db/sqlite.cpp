#include <db/sqlite.h>

#include <db/page_cache.h>
#include <db/wal_write_gather.h>

#include <sqlite3.h>

#include <memory>
#include <unordered_map>

namespace blockstack::db {

using util::ErrorCode;
using util::Fail;

struct Sqlite::Cache {
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements;
};

util::Error Sqlite::LastError(std::string_view what) const {
  int code = m_db ? sqlite3_errcode(m_db) : SQLITE_ERROR;
  std::string msg = std::string(what) + ": " + (m_db ? sqlite3_errmsg(m_db) : "no database");
  ErrorCode ec = (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? ErrorCode::Corruption : ErrorCode::IoError;
  return util::Error{ec, msg};
}

util::Result<Sqlite> Sqlite::Open(const std::string& path, bool read_only, int page_size) {
  InstallPageCache();
  Sqlite db;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  // A writer's log writes are gathered into one per commit (db/wal_write_gather.h).
  const char* vfs = read_only ? nullptr : WalWriteGatherVfs();
  if (sqlite3_open_v2(path.c_str(), &db.m_db, flags, vfs) != SQLITE_OK) {
    return Fail(db.LastError("cannot open " + path));
  }
  db.m_cache = new Cache();
  sqlite3_busy_timeout(db.m_db, 10000);
  if (!read_only) {
    // Takes effect only on a new, empty file (before WAL mode writes its header).
    if (page_size > 0) BS_CHECK_OK(db.Exec("PRAGMA page_size=" + std::to_string(page_size)));
    BS_CHECK_OK(db.Exec("PRAGMA journal_mode=WAL"));
    BS_CHECK_OK(db.Exec("PRAGMA synchronous=NORMAL"));
    BS_CHECK_OK(db.Exec("PRAGMA cache_size=-32768"));  // 32 MiB of page cache
  } else {
    // Readers (API, DNS, Atlas) map the file instead of copying pages in with a
    // pread each: a lookup then costs no system call. Pages of the WAL are still read.
    BS_CHECK_OK(db.Exec("PRAGMA mmap_size=1073741824"));
  }
  BS_CHECK_OK(db.Exec("PRAGMA foreign_keys=OFF"));
  return db;
}

Sqlite::Sqlite(Sqlite&& o) noexcept : m_db(std::exchange(o.m_db, nullptr)), m_cache(std::exchange(o.m_cache, nullptr)) {}

Sqlite& Sqlite::operator=(Sqlite&& o) noexcept {
  if (this != &o) {
    this->~Sqlite();
    m_db = std::exchange(o.m_db, nullptr);
    m_cache = std::exchange(o.m_cache, nullptr);
  }
  return *this;
}

Sqlite::~Sqlite() {
  delete m_cache;  // finalizes statements before the connection closes
  m_cache = nullptr;
  if (m_db != nullptr) sqlite3_close_v2(m_db);
  m_db = nullptr;
}

util::Status Sqlite::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Fail(LastError("SQL failed (" + msg + ")"));
  }
  return util::Ok();
}

util::Result<Statement*> Sqlite::Prepare(const std::string& sql) {
  auto it = m_cache->statements.find(sql);
  if (it != m_cache->statements.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(m_db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return Fail(LastError("cannot prepare SQL"));
  }
  auto owned = std::make_unique<Statement>(stmt);
  Statement* raw = owned.get();
  m_cache->statements.emplace(sql, std::move(owned));
  return raw;
}

int64_t Sqlite::Changes() const { return sqlite3_changes64(m_db); }

int64_t Sqlite::LastInsertRowid() const { return sqlite3_last_insert_rowid(m_db); }

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement& Statement::Bind(int index, int64_t v) {
  sqlite3_bind_int64(m_stmt, index, v);
  return *this;
}
Statement& Statement::Bind(int index, double v) {
  sqlite3_bind_double(m_stmt, index, v);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view v) {
  sqlite3_bind_text(m_stmt, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int index, const std::optional<std::string>& v) {
  if (v) return Bind(index, std::string_view(*v));
  return BindNull(index);
}
Statement& Statement::BindBlob(int index, util::ByteView v) {
  static const uint8_t empty = 0;
  sqlite3_bind_blob(m_stmt, index, v.empty() ? &empty : v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

util::Result<bool> Statement::Step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(m_stmt);
  ErrorCode ec = (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? ErrorCode::Corruption : ErrorCode::IoError;
  return Fail(ec, std::string("SQL step failed: ") + sqlite3_errmsg(db));
}

util::Status Statement::Run() {
  BS_TRY(bool row, Step());
  (void)row;
  Reset();
  return util::Ok();
}

void Statement::Reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
int64_t Statement::Int(int col) const { return sqlite3_column_int64(m_stmt, col); }
double Statement::Real(int col) const { return sqlite3_column_double(m_stmt, col); }
std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
}
util::Bytes Statement::Blob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, col));
  int n = sqlite3_column_bytes(m_stmt, col);
  return p ? util::Bytes(p, p + n) : util::Bytes{};
}

std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

}  // namespace blockstack::db

#include <registrar/queue.h>

namespace blockstack::registrar {
namespace {

using util::ErrorCode;
using util::Fail;

constexpr const char* SCHEMA = R"SQL(
CREATE TABLE IF NOT EXISTS requests(
  ix INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE, owner TEXT NOT NULL,
  zonefile TEXT NOT NULL, ip TEXT NOT NULL, received INTEGER NOT NULL,
  status TEXT NOT NULL, status_more TEXT NOT NULL DEFAULT '', batch INTEGER);
CREATE INDEX IF NOT EXISTS requests_by_status ON requests(status, ix);
CREATE INDEX IF NOT EXISTS requests_by_owner ON requests(owner);
CREATE INDEX IF NOT EXISTS requests_by_ip ON requests(ip);
CREATE TABLE IF NOT EXISTS batches(
  id INTEGER PRIMARY KEY AUTOINCREMENT, zonefile TEXT NOT NULL, zonefile_hash TEXT NOT NULL,
  status TEXT NOT NULL, txid TEXT NOT NULL DEFAULT '', raw_tx BLOB NOT NULL DEFAULT x'',
  created INTEGER NOT NULL, sent_at INTEGER NOT NULL DEFAULT 0, block INTEGER);
)SQL";

constexpr const char* REQUEST_COLUMNS = "ix, label, owner, zonefile, ip, received, status, status_more, batch";

QueuedRequest ReadRequest(db::Statement& s) {
  QueuedRequest r;
  r.ix = s.Int(0);
  r.label = s.Text(1);
  r.owner = s.Text(2);
  r.zonefile = s.Text(3);
  r.ip = s.Text(4);
  r.received = s.Int(5);
  r.status = s.Text(6);
  r.status_more = s.Text(7);
  if (!s.IsNull(8)) r.batch = s.Int(8);
  return r;
}

}  // namespace

util::Result<RegistrarDb> RegistrarDb::Open(const std::string& path) {
  BS_TRY(auto db, db::Sqlite::Open(path, false));
  // A request answered 202 must survive a power cut, not only a crash.
  BS_CHECK_OK(db.Exec("PRAGMA synchronous=FULL"));
  BS_CHECK_OK(db.Exec(SCHEMA));
  return RegistrarDb(std::move(db));
}

util::Status RegistrarDb::Add(const std::string& label, const std::string& owner, const std::string& zonefile,
                              const std::string& ip, int64_t now) {
  BS_TRY(auto* s, m_db.Prepare("INSERT OR IGNORE INTO requests(label, owner, zonefile, ip, received, status) "
                               "VALUES(?, ?, ?, ?, ?, 'received')"));
  s->Bind(1, label).Bind(2, owner).Bind(3, zonefile).Bind(4, ip).Bind(5, now);
  BS_CHECK_OK(s->Run());
  if (m_db.Changes() == 0) return Fail(ErrorCode::Conflict, "Subdomain operation already queued for this name.");
  return util::Ok();
}

util::Result<std::optional<QueuedRequest>> RegistrarDb::Get(const std::string& label) {
  BS_TRY(auto* s, m_db.Prepare(std::string("SELECT ") + REQUEST_COLUMNS + " FROM requests WHERE label = ?"));
  s->Bind(1, label);
  std::optional<QueuedRequest> out;
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& row) { out = ReadRequest(row); }));
  return out;
}

util::Result<int64_t> RegistrarDb::CountOwner(const std::string& owner, int64_t limit) {
  BS_TRY(auto* s, m_db.Prepare("SELECT COUNT(*) FROM (SELECT 1 FROM requests WHERE owner = ? AND status != 'error' "
                               "LIMIT ?)"));
  s->Bind(1, owner).Bind(2, limit);
  int64_t n = 0;
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& row) { n = row.Int(0); }));
  return n;
}

util::Result<int64_t> RegistrarDb::CountIp(const std::string& ip, int64_t limit) {
  BS_TRY(auto* s, m_db.Prepare("SELECT COUNT(*) FROM (SELECT 1 FROM requests WHERE ip = ? AND status != 'error' "
                               "LIMIT ?)"));
  s->Bind(1, ip).Bind(2, limit);
  int64_t n = 0;
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& row) { n = row.Int(0); }));
  return n;
}

util::Result<std::vector<QueuedRequest>> RegistrarDb::Requests(const std::string& where, int64_t arg,
                                                               std::size_t limit) {
  BS_TRY(auto* s, m_db.Prepare(std::string("SELECT ") + REQUEST_COLUMNS + " FROM requests WHERE " + where +
                               " ORDER BY ix LIMIT ?"));
  s->Bind(1, arg).Bind(2, static_cast<int64_t>(limit));
  std::vector<QueuedRequest> out;
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& row) { out.push_back(ReadRequest(row)); }));
  return out;
}

util::Result<std::vector<QueuedRequest>> RegistrarDb::Queued(std::size_t limit) {
  return Requests("status = 'received' AND ix > ?", 0, limit);
}

util::Result<std::vector<QueuedRequest>> RegistrarDb::After(int64_t ix, std::size_t limit) {
  return Requests("ix > ?", ix, limit);
}

util::Status RegistrarDb::Refuse(const std::string& label, const std::string& reason) {
  BS_TRY(auto* s, m_db.Prepare("UPDATE requests SET status = 'error', status_more = ? WHERE label = ? AND "
                               "status = 'received'"));
  s->Bind(1, reason).Bind(2, label);
  return s->Run();
}

util::Result<int64_t> RegistrarDb::CreateBatch(const std::string& zonefile, const std::string& zonefile_hash,
                                               const std::vector<std::string>& labels, int64_t now) {
  int64_t id = 0;
  BS_CHECK_OK(db::InTransaction(m_db, [&]() -> util::Status {
    BS_TRY(auto* ins, m_db.Prepare("INSERT INTO batches(zonefile, zonefile_hash, status, created) "
                                   "VALUES(?, ?, 'built', ?)"));
    ins->Bind(1, zonefile).Bind(2, zonefile_hash).Bind(3, now);
    BS_CHECK_OK(ins->Run());
    id = m_db.LastInsertRowid();
    BS_TRY(auto* upd, m_db.Prepare("UPDATE requests SET status = 'submitted', batch = ? WHERE label = ? AND "
                                   "status = 'received'"));
    for (const auto& label : labels) {
      upd->Bind(1, id).Bind(2, label);
      BS_CHECK_OK(upd->Run());
    }
    return util::Ok();
  }));
  return id;
}

util::Status RegistrarDb::SetSigned(int64_t id, const std::string& txid, util::ByteView raw_tx) {
  BS_TRY(auto* s, m_db.Prepare("UPDATE batches SET status = 'signed', txid = ?, raw_tx = ? WHERE id = ?"));
  s->Bind(1, txid).BindBlob(2, raw_tx).Bind(3, id);
  BS_CHECK_OK(s->Run());
  BS_TRY(auto* r, m_db.Prepare("UPDATE requests SET status_more = ? WHERE batch = ? AND status = 'submitted'"));
  r->Bind(1, txid).Bind(2, id);
  return r->Run();
}

util::Status RegistrarDb::SetSent(int64_t id, int64_t now) {
  BS_TRY(auto* s, m_db.Prepare("UPDATE batches SET status = 'sent', sent_at = ? WHERE id = ?"));
  s->Bind(1, now).Bind(2, id);
  return s->Run();
}

util::Status RegistrarDb::Publish(int64_t id, int64_t block) {
  return db::InTransaction(m_db, [&]() -> util::Status {
    BS_TRY(auto* s, m_db.Prepare("UPDATE batches SET status = 'published', block = ? WHERE id = ?"));
    s->Bind(1, block).Bind(2, id);
    BS_CHECK_OK(s->Run());
    BS_TRY(auto* r, m_db.Prepare("UPDATE requests SET status = 'anchored' WHERE batch = ? AND status = 'submitted'"));
    r->Bind(1, id);
    return r->Run();
  });
}

util::Status RegistrarDb::Drop(int64_t id, const std::string& reason) {
  return db::InTransaction(m_db, [&]() -> util::Status {
    BS_TRY(auto* s, m_db.Prepare("UPDATE batches SET status = 'dropped', txid = txid || ' ' || ? WHERE id = ?"));
    s->Bind(1, reason).Bind(2, id);
    BS_CHECK_OK(s->Run());
    BS_TRY(auto* r, m_db.Prepare("UPDATE requests SET status = 'received', status_more = '', batch = NULL "
                                 "WHERE batch = ? AND status = 'submitted'"));
    r->Bind(1, id);
    return r->Run();
  });
}

util::Status RegistrarDb::Reopen(int64_t id) {
  return db::InTransaction(m_db, [&]() -> util::Status {
    BS_TRY(auto* s, m_db.Prepare("UPDATE batches SET status = 'sent', sent_at = 0, block = NULL WHERE id = ? AND "
                                 "status = 'published'"));
    s->Bind(1, id);
    BS_CHECK_OK(s->Run());
    BS_TRY(auto* r, m_db.Prepare("UPDATE requests SET status = 'submitted' WHERE batch = ? AND status = 'anchored'"));
    r->Bind(1, id);
    return r->Run();
  });
}

util::Result<std::vector<Batch>> RegistrarDb::Batches(const std::string& where, int64_t arg) {
  BS_TRY(auto* s, m_db.Prepare("SELECT id, zonefile, zonefile_hash, status, txid, raw_tx, created, sent_at, block "
                               "FROM batches WHERE " +
                               where + " ORDER BY id"));
  if (where.find('?') != std::string::npos) s->Bind(1, arg);
  std::vector<Batch> out;
  BS_CHECK_OK(db::ForEachRow(s, [&](db::Statement& row) {
    Batch b;
    b.id = row.Int(0);
    b.zonefile = row.Text(1);
    b.zonefile_hash = row.Text(2);
    b.status = row.Text(3);
    b.txid = row.Text(4);
    b.raw_tx = row.Blob(5);
    b.created = row.Int(6);
    b.sent_at = row.Int(7);
    if (!row.IsNull(8)) b.block = row.Int(8);
    out.push_back(std::move(b));
  }));
  return out;
}

util::Result<std::vector<Batch>> RegistrarDb::Open() { return Batches("status IN ('built', 'signed', 'sent')", 0); }

util::Result<std::vector<Batch>> RegistrarDb::PublishedSince(int64_t min_block) {
  return Batches("status = 'published' AND block >= ?", min_block);
}

}  // namespace blockstack::registrar

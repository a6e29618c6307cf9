#include <bns/db/name_db.h>

#include <bitcoin/address.h>
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <bns/records_codec.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include <spdlog/spdlog.h>

namespace blockstack::bns::db {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr const char* SCHEMA_VERSION = "9";
// Undo records are kept for the newest blocks only: a reorganisation deeper than
// this is refused (it would need a re-index).
constexpr uint32_t UNDO_DEPTH = 1000;
// How often the undo entries beyond UNDO_DEPTH are deleted (see EndBlock).
constexpr uint32_t UNDO_PRUNE_EVERY = 100;
// Operations after which a bulk load commits even within its block count.
constexpr uint32_t BULK_OPS_PER_COMMIT = 200000;
// Entries the writer keeps between blocks in its name, preorder and owner caches
// together (a decoded name with its stored bytes is under 1 KB).
constexpr std::size_t NAME_CACHE_ENTRIES = 4096;

constexpr const char* SCHEMA = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS name_records(
  name TEXT PRIMARY KEY, namespace_id TEXT NOT NULL, sender TEXT NOT NULL,
  name_hash128 TEXT NOT NULL, address TEXT NOT NULL, first_registered INTEGER NOT NULL,
  last_renewed INTEGER NOT NULL, revoked INTEGER NOT NULL, data TEXT NOT NULL, history_row INTEGER);
DROP INDEX IF EXISTS name_records_sender;
CREATE INDEX IF NOT EXISTS name_records_by_sender ON name_records(
  sender, name, namespace_id, first_registered, last_renewed, revoked);
DROP INDEX IF EXISTS name_records_hash128;
DROP INDEX IF EXISTS name_records_address;
CREATE TABLE IF NOT EXISTS namespaces(namespace_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS preorders(preorder_hash TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history(
  id INTEGER PRIMARY KEY, history_id TEXT NOT NULL, block_id INTEGER NOT NULL, vtxindex INTEGER NOT NULL,
  txid TEXT NOT NULL, op TEXT NOT NULL, opcode TEXT NOT NULL, value_hash TEXT, creator_address TEXT,
  written_block INTEGER NOT NULL, data TEXT NOT NULL, value_hash_new INTEGER NOT NULL DEFAULT 1);
DROP INDEX IF EXISTS history_by_written;
CREATE TABLE IF NOT EXISTS snapshots(
  block_id INTEGER PRIMARY KEY, block_hash TEXT NOT NULL, consensus_hash TEXT NOT NULL, ops_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS block_ops(block_id INTEGER PRIMARY KEY, ops BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS undo(
  id INTEGER PRIMARY KEY, block_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
  old TEXT);
)SQL";

// Undo entry kinds. A name's entry holds its old record's stored form, or
// (UNDO_NAME_FROM_HISTORY) the rowid of the history row that holds it; no old
// value means there was no row.
constexpr const char* UNDO_NAME = "name";
constexpr const char* UNDO_NAME_FROM_HISTORY = "name@history";
constexpr const char* UNDO_NAMESPACE = "namespace";
constexpr const char* UNDO_PREORDER = "preorder";
// A consumed preorder's entry: the rowid of the history row (the consuming
// operation's, in the same block) that holds its record.
constexpr const char* UNDO_PREORDER_FROM_HISTORY = "preorder@history";

// Indexes for queries (spec bns.md §5): lookups by zone-file hash, a name's
// history, a namespace's names, a block by its consensus hash. They are not in
// SCHEMA: a node catching up drops them and builds them again at the chain's tip
// (the meta key CATCHING_UP records that), and a bulk load builds them at its end.
// The rules do without them: consensus hashes are checked by height, and the one
// rule that reads a name's history (ANNOUNCE, and only for a sender that owns a
// live announcer name) scans the table while the index is missing.
constexpr const char* VALUE_HASH_INDEX =
    "CREATE INDEX IF NOT EXISTS history_by_value_hash ON history(value_hash) WHERE value_hash_new = 1";
constexpr const char* VALUE_HASH_INDEX_NAME = "history_by_value_hash";
constexpr const char* HISTORY_INDEX_NAME = "history_by_id";
constexpr const char* SNAPSHOTS_BY_HASH_NAME = "snapshots_by_hash";
constexpr const char* CREATOR_INDEX_NAME = "history_by_creator";
constexpr const char* HISTORY_BY_BLOCK_INDEX_NAME = "history_by_block";
struct QueryIndex {
  const char* name;
  const char* sql;
};
constexpr QueryIndex QUERY_INDEXES[] = {
    {VALUE_HASH_INDEX_NAME, VALUE_HASH_INDEX},
    {HISTORY_INDEX_NAME, "CREATE INDEX IF NOT EXISTS history_by_id ON history(history_id, block_id, vtxindex)"},
    {"name_records_namespace", "CREATE INDEX IF NOT EXISTS name_records_namespace ON name_records(namespace_id)"},
    {SNAPSHOTS_BY_HASH_NAME, "CREATE INDEX IF NOT EXISTS snapshots_by_hash ON snapshots(consensus_hash)"},
    {CREATOR_INDEX_NAME,
     "CREATE INDEX IF NOT EXISTS history_by_creator ON history(creator_address, block_id, vtxindex) "
     "WHERE creator_address IS NOT NULL"},
    {HISTORY_BY_BLOCK_INDEX_NAME, "CREATE INDEX IF NOT EXISTS history_by_block ON history(block_id, vtxindex)"},
};
constexpr const char* CATCHING_UP = "catching_up";
// The writer's page cache (as db::Sqlite::Open sets it), restored after a bulk
// load or an index build changed it.
constexpr const char* WRITER_CACHE_SIZE = "PRAGMA cache_size=-32768";

// Undo rows are keyed by rowid = block << ROW_KEY_SHIFT | index (the entry's
// sequence number): a block's rows are one range of the table's own B-tree, and
// no second index on (block, index) is written. Op-log transaction indexes have
// the same limit (versions 5-8 keyed the op log's rows the same way).
constexpr int ROW_KEY_SHIFT = 24;
constexpr uint64_t ROW_KEY_INDEX_LIMIT = uint64_t{1} << ROW_KEY_SHIFT;
// The first block whose undo entries are kept once `last_block` is written.
uint32_t UndoHorizon(uint32_t last_block) { return last_block >= UNDO_DEPTH ? last_block - UNDO_DEPTH + 1 : 0; }

int64_t RowKey(uint32_t block, uint64_t index) {
  return static_cast<int64_t>((uint64_t{block} << ROW_KEY_SHIFT) | index);
}

// Schema changes from versions 3, 4 and 5, each run in the migration's transaction.
// Version 4 adds the flag and rebuilds the index of zone-file hashes partial on it.
std::string Migrate3To4() {
  return std::string("ALTER TABLE history ADD COLUMN value_hash_new INTEGER NOT NULL DEFAULT 1;"
                     "DROP INDEX IF EXISTS ") +
         VALUE_HASH_INDEX_NAME + ";" + VALUE_HASH_INDEX + ";";
}
// Version 5 keys the op log and undo rows by rowid: the old tables are renamed
// aside, SCHEMA and OPS_V5 create the new ones, and the rows are copied across.
constexpr const char* MIGRATE_4_TO_5_SET_ASIDE =
    "ALTER TABLE ops RENAME TO ops_v4; ALTER TABLE undo RENAME TO undo_v4;";
// The op log of versions 5-8, a row per operation (version 9 keeps a blob per block).
constexpr const char* OPS_V5 = R"SQL(
CREATE TABLE IF NOT EXISTS ops(
  id INTEGER PRIMARY KEY, block_id INTEGER NOT NULL, vtxindex INTEGER NOT NULL, txid TEXT NOT NULL,
  opcode TEXT NOT NULL, accepted INTEGER NOT NULL, reason TEXT NOT NULL, raw_tx BLOB NOT NULL, senders TEXT NOT NULL);
)SQL";
std::string Migrate4To5Copy() {
  const std::string shift = std::to_string(ROW_KEY_SHIFT);
  return "INSERT INTO ops(id, block_id, vtxindex, txid, opcode, accepted, reason, raw_tx, senders) "
         "SELECT (block_id << " + shift + ") | vtxindex, block_id, vtxindex, txid, opcode, accepted, reason, "
         "raw_tx, senders FROM ops_v4;"
         "DROP TABLE ops_v4;"
         "INSERT INTO undo(id, block_id, seq, kind, key, old) "
         "SELECT (block_id << " + shift + ") | seq, block_id, seq, kind, key, old FROM undo_v4;"
         "DROP TABLE undo_v4;";
}
// Version 6: a name row names the history row that holds its text, so that its
// undo entry can point there instead of repeating the text. Rows written before
// have none (NULL), and their undo entries keep the text. The index of names by
// name hash goes (SCHEMA drops it): transfers search the sender's own names.
constexpr const char* MIGRATE_5_TO_6 = "ALTER TABLE name_records ADD COLUMN history_row INTEGER;";
// Version 7 writes name and preorder records in their compact binary form
// (bns/records_codec.h). Rows written before keep their JSON, which is read as it
// is: nothing to copy. The version guards older programs, which read JSON only.

// Binds a stored record (bns/records_codec.h) or undo value: as a blob, since the
// compact forms are bytes, not text.
Statement& BindStored(Statement& s, int index, std::string_view stored) {
  return s.BindBlob(index, util::AsBytes(stored));
}
Statement& BindStoredOrNull(Statement& s, int index, const std::optional<std::string>& stored) {
  return stored ? BindStored(s, index, *stored) : s.BindNull(index);
}

// Whether `table` exists with a column named `column`.
util::Result<bool> HasColumn(Sqlite& db, std::string_view table, std::string_view column) {
  BS_TRY(Statement * s, db.Prepare("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?"));
  s->Bind(1, table).Bind(2, column);
  BS_TRY(bool row, s->Step());
  const bool has = row && s->Int(0) > 0;
  s->Reset();
  return has;
}

// A rowid written as decimal text; anything else is a corrupt entry.
// A stored decimal number, whole text; nullopt when it is not one or does not fit.
template <typename T>
std::optional<T> ParseStoredNumber(std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

util::Result<int64_t> ParseRowid(const std::string& text) {
  auto v = ParseStoredNumber<int64_t>(text);
  if (!v || *v <= 0) return Fail(ErrorCode::Corruption, "undo entry holds \"" + text + "\", not a row number");
  return *v;
}

// Column 0 of every remaining row of a bound statement.
util::Result<std::vector<std::string>> Texts(Statement* s) {
  std::vector<std::string> rows;
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) { rows.push_back(r.Text(0)); }));
  return rows;
}

// Every stored record of `stored` decoded.
template <class T, class F>
util::Result<std::vector<T>> DecodeAll(const std::vector<std::string>& stored, F decode) {
  std::vector<T> out;
  out.reserve(stored.size());
  for (const auto& one : stored) {
    BS_TRY(auto rec, decode(one));
    out.push_back(std::move(rec));
  }
  return out;
}

// The first stored record of `stored` decoded (nullopt: none).
template <class T, class F>
util::Result<std::optional<T>> DecodeFirst(const std::vector<std::string>& stored, F decode) {
  if (stored.empty()) return std::optional<T>{};
  BS_TRY(auto rec, decode(stored[0]));
  return std::optional<T>(std::move(rec));
}

}  // namespace

util::Result<std::unique_ptr<NameDb>> NameDb::Open(const std::string& path, bool read_only, int page_size) {
  BS_TRY(Sqlite sql, Sqlite::Open(path, read_only, page_size));
  std::unique_ptr<NameDb> db(new NameDb(std::move(sql), read_only));
  db->m_path = path;
  if (!read_only) {
    BS_CHECK_OK(db->CreateSchema());
    BS_CHECK_OK(db->StartCheckpoints());
  }
  return db;
}

util::Status NameDb::StartCheckpoints() {
  // An in-memory database has no log, and a second connection would open another database.
  if (m_path.empty() || m_path == ":memory:") return util::Ok();
  // The log is copied from 40 MiB on, on another thread, and restarted once that
  // copy is done (at 160 MiB at the latest): a page written by many blocks in
  // between goes to the database file once.
  BS_TRY(m_checkpointer, WalCheckpointer::Start(&m_db, m_path, {.start_frames = 10000, .finish_frames = 40000}));
  return util::Ok();
}

util::Status NameDb::CreateSchema() {
  BS_CHECK_OK(Migrate());
  BS_CHECK_OK(m_db.Exec(SCHEMA));
  BS_TRY(auto catching_up, GetMeta(CATCHING_UP));
  if (!catching_up) BS_CHECK_OK(BuildQueryIndexes());
  BS_TRY(auto version, GetMeta("schema_version"));
  if (!version) return SetMeta("schema_version", SCHEMA_VERSION);
  if (*version != SCHEMA_VERSION) {
    return Fail(ErrorCode::Corruption, "name database has schema version " + *version + ", expected " + SCHEMA_VERSION);
  }
  return util::Ok();
}

util::Status NameDb::Migrate() {
  BS_TRY(bool has_history, HasColumn(m_db, "history", "history_id"));
  if (!has_history) return util::Ok();  // a new database
  BS_TRY(auto version, GetMeta("schema_version"));
  if (!version || version->size() != 1 || (*version)[0] < '3' || (*version)[0] > '8') return util::Ok();
  // Every version's steps run in one transaction, the op log's move last (version 9
  // keeps a block's operations in one row).
  auto finish = [&](std::string sql) {
    sql += std::string("UPDATE meta SET value = '") + SCHEMA_VERSION + "' WHERE key = 'schema_version';";
    return InTransaction(m_db, [&]() -> util::Status {
      BS_CHECK_OK(m_db.Exec(sql));
      return MigrateOpLogToBlocks();
    });
  };
  // Version 8 takes the last block from the snapshots table: the meta key that
  // repeated it goes, so no program reads a value that is no longer kept up.
  std::string sql = "DELETE FROM meta WHERE key = 'last_block';";
  if (version == "7" || version == "8") return finish(sql);
  // Version 4 indexes only the history rows that give their name a value hash it
  // did not have just before; existing rows stay indexed (flagged new), so lookups
  // find what they found before. Version 5 keys the op log and undo rows by rowid.
  BS_TRY(bool has_names, HasColumn(m_db, "name_records", "name"));
  // Version 6 adds a column to the names table (which SCHEMA below would create
  // whole if it were missing).
  if (has_names && version != "6") sql += MIGRATE_5_TO_6;
  if (version == "3") sql += Migrate3To4();
  if (version != "5" && version != "6")
    sql += std::string(MIGRATE_4_TO_5_SET_ASIDE) + SCHEMA + OPS_V5 + Migrate4To5Copy();
  return finish(sql);
}

util::Status NameDb::MigrateOpLogToBlocks() {
  BS_TRY(bool has_ops, HasColumn(m_db, "ops", "raw_tx"));
  if (!has_ops) return util::Ok();
  BS_CHECK_OK(m_db.Exec(SCHEMA));
  BS_TRY(Statement * s, m_db.Prepare("SELECT block_id, vtxindex, txid, opcode, accepted, reason, raw_tx, senders "
                                     "FROM ops ORDER BY block_id, vtxindex"));
  BS_TRY(Statement * put, m_db.Prepare("INSERT OR REPLACE INTO block_ops(block_id, ops) VALUES(?, ?)"));
  std::vector<OpRow> block;
  auto flush = [&]() -> util::Status {
    if (block.empty()) return util::Ok();
    const std::string blob = EncodeOpLog(block);
    BS_CHECK_OK(put->Bind(1, int64_t{block.front().block_id}).BindBlob(2, util::AsBytes(blob)).Run());
    block.clear();
    return util::Ok();
  };
  util::Status st = util::Ok();  // the first failed write; the rest are skipped
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) {
    if (!st) return;
    OpRow row{static_cast<uint32_t>(r.Int(0)),
              static_cast<uint32_t>(r.Int(1)),
              r.Text(2),
              r.Text(3),
              r.Int(4) != 0,
              r.Text(5),
              r.Blob(6),
              r.Text(7),
              {}};
    if (!block.empty() && block.front().block_id != row.block_id) st = flush();
    block.push_back(std::move(row));
  }));
  BS_CHECK_OK(st);
  BS_CHECK_OK(flush());
  return m_db.Exec("DROP TABLE ops");
}

util::Result<std::optional<std::string>> NameDb::GetMeta(std::string_view key) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT value FROM meta WHERE key = ?"));
  s->Bind(1, key);
  BS_TRY(bool row, s->Step());
  std::optional<std::string> out = row ? std::optional<std::string>(s->Text(0)) : std::nullopt;
  s->Reset();
  return out;
}

util::Status NameDb::DeleteMeta(std::string_view key) {
  BS_TRY(Statement * s, m_db.Prepare("DELETE FROM meta WHERE key = ?"));
  return s->Bind(1, key).Run();
}

util::Status NameDb::SetMeta(std::string_view key, std::string_view value) {
  // An upsert changes the row in place; a replace would delete and insert it, and
  // write the key's index page as well (every block sets two keys).
  BS_TRY(Statement * s, m_db.Prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  return s->Bind(1, key).Bind(2, value).Run();
}

// --- StateView ---

util::Result<const NameDb::StoredName*> NameDb::LoadName(std::string_view fqn) {
  if (m_cache_names) {
    if (auto it = m_name_cache.find(std::string(fqn)); it != m_name_cache.end()) {
      return it->second ? &*it->second : nullptr;
    }
  }
  BS_TRY(Statement * s, m_db.Prepare("SELECT data, history_row FROM name_records WHERE name = ?"));
  s->Bind(1, fqn);
  std::optional<StoredName> stored;
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) {
    if (!stored) stored = StoredName{{}, r.Text(0), r.IsNull(1) ? 0 : r.Int(1)};
  }));
  if (stored) {
    BS_TRY(stored->record, DecodeNameRecord(stored->bytes));
  }
  if (!m_cache_names) {
    // No cache: the caller's pointer stays valid until the next load.
    m_uncached_name = std::move(stored);
    return m_uncached_name ? &*m_uncached_name : nullptr;
  }
  auto& slot = m_name_cache[std::string(fqn)];
  slot = std::move(stored);
  return slot ? &*slot : nullptr;
}

util::Result<std::optional<NameRecord>> NameDb::GetName(std::string_view fqn) {
  BS_TRY(const StoredName* stored, LoadName(fqn));
  if (stored == nullptr) return std::optional<NameRecord>{};
  return std::optional<NameRecord>(stored->record);
}

namespace {

// A top-level string-or-null member of a record's stored JSON, found by its key in
// the text our record writer produces (keys once each, no spaces; no member of a
// name record holds free text that could contain a quoted key). nullopt when the
// key is absent or its value is not a plain string or null: the caller then
// decodes the whole record.
std::optional<std::optional<std::string_view>> PlainMember(std::string_view json, std::string_view key) {
  std::string pattern = "\"";
  pattern += key;
  pattern += "\":";
  const auto at = json.find(pattern);
  if (at == std::string_view::npos || at == 0 || (json[at - 1] != '{' && json[at - 1] != ',')) return std::nullopt;
  std::string_view rest = json.substr(at + pattern.size());
  if (rest.starts_with("null")) return std::optional<std::string_view>{};
  if (!rest.starts_with('"')) return std::nullopt;
  const auto end = rest.find('"', 1);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view value = rest.substr(1, end - 1);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return std::optional<std::string_view>(value);
}

}  // namespace

util::Result<std::optional<NameLookup>> NameDb::GetNameLookup(std::string_view fqn) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT namespace_id, address, first_registered, last_renewed, revoked, data "
                                     "FROM name_records WHERE name = ?"));
  s->Bind(1, fqn);
  BS_TRY(bool row, s->Step());
  if (!row) {
    s->Reset();
    return std::optional<NameLookup>{};
  }
  NameLookup out;
  out.namespace_id = s->Text(0);
  out.address = s->Text(1);
  out.first_registered = static_cast<uint32_t>(s->Int(2));
  out.last_renewed = static_cast<uint32_t>(s->Int(3));
  out.revoked = s->Int(4) != 0;
  const std::string data = s->Text(5);
  s->Reset();
  // JSON rows (written before the compact form) are searched for the two members;
  // anything else is decoded.
  const bool is_json = data.starts_with('{');
  auto txid = is_json ? PlainMember(data, "txid") : std::nullopt;
  auto value_hash = is_json ? PlainMember(data, "value_hash") : std::nullopt;
  if (!txid || !*txid || !value_hash) {
    BS_TRY(auto rec, DecodeNameRecord(data));
    out.txid = std::move(rec.txid);
    out.value_hash = std::move(rec.value_hash);
    return std::optional<NameLookup>(std::move(out));
  }
  out.txid = std::string(**txid);
  if (*value_hash) out.value_hash = std::string(**value_hash);
  return std::optional<NameLookup>(std::move(out));
}

util::Result<std::optional<NamespaceRecord>> NameDb::GetNamespace(std::string_view namespace_id) {
  if (auto it = m_ns_cache.find(namespace_id); it != m_ns_cache.end()) return it->second;
  BS_TRY(Statement * s, m_db.Prepare("SELECT data FROM namespaces WHERE namespace_id = ?"));
  s->Bind(1, namespace_id);
  BS_TRY(auto texts, Texts(s));
  BS_TRY(auto rec, DecodeFirst<NamespaceRecord>(texts, DecodeNamespaceRecord));
  m_ns_cache.emplace(std::string(namespace_id), rec);
  return rec;
}

util::Result<std::optional<PreorderRecord>> NameDb::GetPreorder(std::string_view preorder_hash) {
  if (m_cache_names) {
    if (auto it = m_preorder_cache.find(std::string(preorder_hash)); it != m_preorder_cache.end()) return it->second;
  }
  BS_TRY(Statement * s, m_db.Prepare("SELECT data FROM preorders WHERE preorder_hash = ?"));
  s->Bind(1, preorder_hash);
  BS_TRY(auto texts, Texts(s));
  BS_TRY(auto rec, DecodeFirst<PreorderRecord>(texts, DecodePreorderRecord));
  if (m_cache_names) m_preorder_cache[std::string(preorder_hash)] = rec;
  return rec;
}

util::Result<std::vector<PreorderRecord>> NameDb::PendingPreordersAt(uint32_t height) {
  BS_TRY(auto ops, OpsAt(height));
  std::vector<PreorderRecord> out;
  for (const auto& op : ops) {
    if (!op.accepted || (op.opcode != "NAME_PREORDER" && op.opcode != "NAMESPACE_PREORDER")) continue;
    auto tx = bitcoin::ParseTransaction(op.raw_tx);
    if (!tx) continue;
    // magic (2 bytes), opcode, then the 20-byte preorder hash; the last OP_RETURN
    // output is the one the scanner read (virtualchain::BlockstackPayload).
    std::optional<util::ByteView> payload;
    for (const auto& o : tx->outputs) {
      if (auto p = bitcoin::OpReturnPayload(o.script_pubkey)) payload = p;
    }
    if (!payload || payload->size() < 23) continue;
    BS_TRY(auto rec, GetPreorder(util::ToHex(payload->subspan(3, 20))));
    if (rec && rec->txid == op.txid) out.push_back(std::move(*rec));
  }
  return out;
}

util::Result<std::vector<NameRecord>> NameDb::NamesWhere(const std::string& sql, std::string_view arg) {
  BS_TRY(Statement * s, m_db.Prepare(sql));
  s->Bind(1, arg);
  BS_TRY(auto texts, Texts(s));
  return DecodeAll<NameRecord>(texts, DecodeNameRecord);
}

util::Result<std::vector<NameRecord>> NameDb::NamesOwnedBy(std::string_view script_hex) {
  return NamesWhere("SELECT data FROM name_records WHERE sender = ? ORDER BY name", script_hex);
}

util::Result<NameSummaries> NameDb::NameSummariesOwnedBy(std::string_view script_hex) {
  if (m_cache_names) {
    if (auto it = m_owner_cache.find(std::string(script_hex)); it != m_owner_cache.end()) {
      return NameSummaries(it->second);
    }
  }
  BS_TRY(Statement * s,
         m_db.Prepare("SELECT name, namespace_id, first_registered, last_renewed, revoked FROM name_records "
                      "WHERE sender = ? ORDER BY name"));
  s->Bind(1, script_hex);
  auto out = std::make_shared<std::vector<NameSummary>>();
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) {
    out->push_back(
        {r.Text(0), r.Text(1), static_cast<uint32_t>(r.Int(2)), static_cast<uint32_t>(r.Int(3)), r.Int(4) != 0});
  }));
  if (m_cache_names) m_owner_cache[std::string(script_hex)] = out;
  return NameSummaries(std::move(out));
}

void NameDb::UpdateOwnerCache(const NameRecord& r, const NameRecord* old) {
  auto by_name = [](const NameSummary& s, const std::string& name) { return s.name < name; };
  // A list that a reader still holds is copied before it changes.
  auto unshare = [](std::shared_ptr<std::vector<NameSummary>>& list) -> std::vector<NameSummary>& {
    if (list.use_count() > 1) list = std::make_shared<std::vector<NameSummary>>(*list);
    return *list;
  };
  if (old != nullptr && old->sender != r.sender) {
    if (auto it = m_owner_cache.find(old->sender); it != m_owner_cache.end()) {
      auto& list = unshare(it->second);
      auto at = std::lower_bound(list.begin(), list.end(), r.name, by_name);
      if (at != list.end() && at->name == r.name) list.erase(at);
    }
  }
  auto it = m_owner_cache.find(r.sender);
  if (it == m_owner_cache.end()) return;
  auto& list = unshare(it->second);
  NameSummary summary{r.name, r.namespace_id, r.first_registered, r.last_renewed, r.revoked};
  auto at = std::lower_bound(list.begin(), list.end(), r.name, by_name);
  if (at != list.end() && at->name == r.name) {
    *at = std::move(summary);
  } else {
    list.insert(at, std::move(summary));
  }
}

util::Result<std::vector<NameRecord>> NameDb::NamesOwnedByAddress(std::string_view address,
                                                                  const bitcoin::NetworkParams& params) {
  // A name's address is its owner script's (p2pkh or p2sh, spec bns.md §0): the
  // index by owner script answers.
  auto script = bitcoin::ScriptFromAddress(address, params);
  if (!script) return std::vector<NameRecord>{};  // not an address of this network: it owns nothing here
  return NamesOwnedBy(util::ToHex(*script));
}

util::Result<std::vector<NameRecord>> NameDb::NamesInNamespace(std::string_view namespace_id) {
  return NamesWhere("SELECT data FROM name_records WHERE namespace_id = ? ORDER BY name", namespace_id);
}

util::Result<std::vector<uint32_t>> NameDb::FirstRegisteredIn(std::string_view namespace_id) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT first_registered FROM name_records WHERE namespace_id = ?"));
  s->Bind(1, namespace_id);
  std::vector<uint32_t> out;
  while (true) {
    BS_TRY(bool row, s->Step());
    if (!row) break;
    out.push_back(static_cast<uint32_t>(s->Int(0)));
  }
  s->Reset();
  return out;
}

util::Result<std::vector<std::string>> NameDb::NameValueHashes(std::string_view fqn) {
  BS_TRY(Statement * s,
         m_db.Prepare("SELECT DISTINCT value_hash FROM history WHERE history_id = ? AND value_hash IS NOT NULL"));
  s->Bind(1, fqn);
  return Texts(s);
}

util::Result<std::optional<std::string>> NameDb::ConsensusHashAt(uint32_t height) {
  if (auto it = m_ch_cache.find(height); it != m_ch_cache.end()) return std::optional<std::string>(it->second);
  BS_TRY(auto snap, SnapshotAt(height));
  if (!snap) return std::optional<std::string>{};
  if (!m_block) m_ch_cache.emplace(height, snap->consensus_hash);  // committed rows only
  return std::optional<std::string>(snap->consensus_hash);
}

util::Result<std::optional<uint32_t>> NameDb::HeightOfConsensusHash(std::string_view ch, uint32_t max_height) {
  BS_CHECK_OK(RequireIndex(SNAPSHOTS_BY_HASH_NAME, "lookups of a block by consensus hash"));
  BS_TRY(Statement * s, m_db.Prepare("SELECT block_id FROM snapshots WHERE consensus_hash = ? AND block_id <= ? "
                                     "ORDER BY block_id DESC LIMIT 1"));
  s->Bind(1, ch).Bind(2, int64_t{max_height});
  BS_TRY(bool row, s->Step());
  std::optional<uint32_t> out = row ? std::optional<uint32_t>(static_cast<uint32_t>(s->Int(0))) : std::nullopt;
  s->Reset();
  return out;
}

// --- writes ---

util::Status NameDb::BeginBlock(uint32_t height) {
  if (m_block) return Fail(ErrorCode::Conflict, "block " + std::to_string(*m_block) + " is still being written");
  if (!m_bulk_open) BS_CHECK_OK(m_db.Exec("BEGIN IMMEDIATE"));
  if (m_bulk_per_commit > 0) m_bulk_open = true;
  m_block = height;
  m_undo_seq = 0;
  m_block_ops.clear();
  return util::Ok();
}

void NameDb::AbortBlock() {
  m_ns_cache.clear();
  DropRecordCaches();
  if (!m_block) return;
  (void)m_db.Exec("ROLLBACK");
  m_block.reset();
  m_block_ops.clear();
  m_bulk_open = false;
  m_bulk_pending = 0;
  m_ch_cache.clear();
}

util::Status NameDb::BeginBulkLoad(uint32_t blocks_per_commit, uint32_t last_block) {
  if (m_block || m_bulk_open) return Fail(ErrorCode::Conflict, "a block is being written");
  m_checkpointer.reset();  // leaving WAL mode needs the only connection
  BS_CHECK_OK(m_db.Exec("PRAGMA journal_mode=MEMORY"));
  BS_CHECK_OK(m_db.Exec("PRAGMA synchronous=OFF"));
  BS_CHECK_OK(m_db.Exec("PRAGMA cache_size=-262144"));  // 256 MiB: fewer pages spilled mid-batch
  // The query indexes are built once at the end instead of row by row.
  BS_CHECK_OK(DropQueryIndexes());
  m_undo_horizon = UndoHorizon(last_block);
  m_bulk_per_commit = std::max<uint32_t>(blocks_per_commit, 1);
  m_bulk_pending = 0;
  return util::Ok();
}

util::Status NameDb::KeepUndoFor(uint32_t last_block) {
  if (m_block) return Fail(ErrorCode::Conflict, "block " + std::to_string(*m_block) + " is still being written");
  m_undo_horizon = UndoHorizon(last_block);
  return util::Ok();
}

util::Status NameDb::EndBulkLoad() {
  if (m_block) return Fail(ErrorCode::Conflict, "a block is being written");
  if (m_bulk_open) {
    BS_CHECK_OK(m_db.Exec("COMMIT"));
    m_bulk_open = false;
  }
  m_bulk_per_commit = 0;
  m_bulk_pending = 0;
  m_undo_horizon = 0;
  BS_CHECK_OK(BuildQueryIndexes());
  BS_CHECK_OK(DeleteMeta(CATCHING_UP));
  BS_CHECK_OK(m_db.Exec("PRAGMA synchronous=FULL"));
  BS_CHECK_OK(m_db.Exec(WRITER_CACHE_SIZE));
  // Back to WAL, which also syncs the file.
  BS_CHECK_OK(m_db.Exec("PRAGMA journal_mode=WAL"));
  BS_CHECK_OK(m_db.Exec("PRAGMA synchronous=NORMAL"));
  return StartCheckpoints();
}

util::Status NameDb::AddUndo(std::string_view kind, std::string_view key, const std::optional<std::string>& old) {
  if (!KeepsUndo()) return util::Ok();
  if (static_cast<uint64_t>(m_undo_seq) >= ROW_KEY_INDEX_LIMIT) {
    return Fail(ErrorCode::TooLarge, "block " + std::to_string(*m_block) + " has too many undo entries");
  }
  BS_TRY(Statement * s,
         m_db.Prepare("INSERT INTO undo(id, block_id, seq, kind, key, old) VALUES(?, ?, ?, ?, ?, ?)"));
  const int64_t seq = m_undo_seq++;
  s->Bind(1, RowKey(*m_block, static_cast<uint64_t>(seq)))
      .Bind(2, int64_t{*m_block})
      .Bind(3, seq)
      .Bind(4, kind)
      .Bind(5, key);
  return BindStoredOrNull(*s, 6, old).Run();
}

util::Status NameDb::PutName(const NameRecord& r, const std::string* stored, int64_t history_row,
                             const NameRecord* old) {
  std::string bytes = stored != nullptr ? *stored : EncodeNameRecord(r);
  if (m_cache_names) {
    UpdateOwnerCache(r, old);
    auto& slot = m_name_cache[r.name];
    slot = StoredName{r, bytes, history_row};
  }
  auto bind_history_row = [&](Statement* st, int index) -> Statement* {
    if (history_row > 0) {
      st->Bind(index, history_row);
    } else {
      st->BindNull(index);
    }
    return st;
  };
  if (old != nullptr && old->namespace_id == r.namespace_id && old->sender == r.sender &&
      old->name_hash128 == r.name_hash128 && old->address == r.address) {
    if (old->first_registered == r.first_registered && old->last_renewed == r.last_renewed &&
        old->revoked == r.revoked) {
      // Only the record's bytes change: no index page is touched.
      BS_TRY(Statement * u, m_db.Prepare("UPDATE name_records SET data = ?, history_row = ? WHERE name = ?"));
      return bind_history_row(&BindStored(*u, 1, bytes), 2)->Bind(3, r.name).Run();
    }
    // Only the row and the owner index's summary columns change.
    BS_TRY(Statement * u, m_db.Prepare("UPDATE name_records SET first_registered = ?, last_renewed = ?, revoked = ?, "
                                       "data = ?, history_row = ? WHERE name = ?"));
    u->Bind(1, int64_t{r.first_registered}).Bind(2, int64_t{r.last_renewed}).Bind(3, int64_t{r.revoked ? 1 : 0});
    return bind_history_row(&BindStored(*u, 4, bytes), 5)->Bind(6, r.name).Run();
  }
  BS_TRY(Statement * s,
         m_db.Prepare("INSERT OR REPLACE INTO name_records(name, namespace_id, sender, name_hash128, address, "
                      "first_registered, last_renewed, revoked, data, history_row) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s->Bind(1, r.name)
      .Bind(2, r.namespace_id)
      .Bind(3, r.sender)
      .Bind(4, r.name_hash128)
      .Bind(5, r.address)
      .Bind(6, int64_t{r.first_registered})
      .Bind(7, int64_t{r.last_renewed})
      .Bind(8, int64_t{r.revoked ? 1 : 0});
  return bind_history_row(&BindStored(*s, 9, bytes), 10)->Run();
}

util::Status NameDb::PutNamespace(const NamespaceRecord& r) {
  m_ns_cache.erase(r.namespace_id);
  BS_TRY(Statement * s, m_db.Prepare("INSERT OR REPLACE INTO namespaces(namespace_id, data) VALUES(?, ?)"));
  return s->Bind(1, r.namespace_id).Bind(2, EncodeNamespaceRecord(r)).Run();
}

util::Status NameDb::PutPreorder(const PreorderRecord& r) {
  if (m_cache_names) m_preorder_cache[r.preorder_hash] = r;
  BS_TRY(Statement * s, m_db.Prepare("INSERT OR REPLACE INTO preorders(preorder_hash, data) VALUES(?, ?)"));
  s->Bind(1, r.preorder_hash);
  return BindStored(*s, 2, EncodePreorderRecord(r)).Run();
}

util::Status NameDb::Apply(const ops::Effect& e) {
  if (!m_block) return Fail(ErrorCode::Conflict, "Apply outside a block");
  // The value hash the name had before this operation, when known: lookups by
  // zone-file hash need only the rows that brought a name a new one.
  std::optional<std::string> previous_value_hash;
  bool previous_known = false;
  std::optional<NameRecord> old;
  if (e.name) {
    // Bulk loads keep no undo for old blocks and write the row whole.
    if (KeepsUndo() || m_cache_names) {
      BS_TRY(const StoredName* stored, LoadName(e.name->name));
      if (stored != nullptr) old = stored->record;
      previous_known = true;
      if (old) previous_value_hash = old->value_hash;
      if (KeepsUndo()) {
        // The old record is in a history row when the name row says which: the
        // undo entry then names that row instead of repeating the record.
        if (stored != nullptr && stored->history_row > 0) {
          BS_CHECK_OK(AddUndo(UNDO_NAME_FROM_HISTORY, e.name->name, std::to_string(stored->history_row)));
        } else {
          BS_CHECK_OK(
              AddUndo(UNDO_NAME, e.name->name, stored ? std::optional<std::string>(stored->bytes) : std::nullopt));
        }
      }
    }
  }
  if (e.ns) {
    BS_TRY(auto old_ns, GetNamespace(e.ns->namespace_id));
    BS_CHECK_OK(
        AddUndo(UNDO_NAMESPACE, e.ns->namespace_id,
                old_ns && KeepsUndo() ? std::optional<std::string>(EncodeNamespaceRecord(*old_ns)) : std::nullopt));
    BS_CHECK_OK(PutNamespace(*e.ns));
  }
  if (e.new_preorder) {
    BS_CHECK_OK(AddUndo(UNDO_PREORDER, e.new_preorder->preorder_hash, std::nullopt));
    BS_CHECK_OK(PutPreorder(*e.new_preorder));
  }
  if (e.consumed_preorder) {
    if (m_cache_names) m_preorder_cache[e.consumed_preorder->preorder_hash] = std::nullopt;
    BS_TRY(Statement * s, m_db.Prepare("DELETE FROM preorders WHERE preorder_hash = ?"));
    BS_CHECK_OK(s->Bind(1, e.consumed_preorder->preorder_hash).Run());
  }
  // The operation's history row for the name holds this record's stored form: the
  // name row reuses the bytes and remembers the row.
  const std::string* name_bytes = nullptr;
  int64_t name_history_row = 0;
  // Likewise the consumed preorder's record is in the operation's preorder row.
  int64_t preorder_history_row = 0;
  for (const auto& h : e.history) {
    BS_TRY(Statement * s,
           m_db.Prepare("INSERT INTO history(history_id, block_id, vtxindex, txid, op, opcode, value_hash, "
                        "creator_address, written_block, data, value_hash_new) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    // Flagged (and indexed by hash) when it has a value hash that its name did not
    // have just before. A row left out repeats an earlier, flagged row of the same
    // name and hash, which a reorganisation undoes after it.
    const bool repeats = previous_known && e.name && h.history_id == e.name->name && previous_value_hash == h.value_hash;
    const bool flagged = h.value_hash.has_value() && !repeats;
    s->Bind(1, h.history_id)
        .Bind(2, int64_t{h.block_height})
        .Bind(3, int64_t{h.vtxindex})
        .Bind(4, h.txid)
        .Bind(5, h.op)
        .Bind(6, h.opcode_name)
        .Bind(7, h.value_hash)
        .Bind(8, h.creator_address)
        .Bind(9, int64_t{*m_block})
        .Bind(11, int64_t{flagged ? 1 : 0});
    BS_CHECK_OK(BindStored(*s, 10, h.data).Run());
    if (e.name && h.history_id == e.name->name && h.opcode_name != "NAME_PREORDER") {
      name_bytes = &h.data;
      name_history_row = m_db.LastInsertRowid();
    }
    if (e.consumed_preorder && h.opcode_name.ends_with("_PREORDER") && h.txid == e.consumed_preorder->txid &&
        h.vtxindex == e.consumed_preorder->vtxindex && h.block_height == e.consumed_preorder->block_number) {
      preorder_history_row = m_db.LastInsertRowid();
    }
  }
  if (e.name) BS_CHECK_OK(PutName(*e.name, name_bytes, name_history_row, old ? &*old : nullptr));
  if (e.consumed_preorder && KeepsUndo()) {
    const std::string& hash = e.consumed_preorder->preorder_hash;
    if (preorder_history_row > 0) {
      BS_CHECK_OK(AddUndo(UNDO_PREORDER_FROM_HISTORY, hash, std::to_string(preorder_history_row)));
    } else {
      BS_CHECK_OK(AddUndo(UNDO_PREORDER, hash, EncodePreorderRecord(*e.consumed_preorder)));
    }
  }
  return util::Ok();
}

util::Status NameDb::RecordOp(const OpRow& row) {
  if (!m_block) return Fail(ErrorCode::Conflict, "RecordOp outside a block");
  if (row.block_id != *m_block) {
    return Fail(ErrorCode::Conflict, "an operation of block " + std::to_string(row.block_id) + " recorded in block " +
                                         std::to_string(*m_block));
  }
  ++m_bulk_ops;
  if (row.vtxindex >= ROW_KEY_INDEX_LIMIT) {
    return Fail(ErrorCode::TooLarge, "transaction index " + std::to_string(row.vtxindex) + " is too large");
  }
  // Kept in transaction order; a transaction recorded again replaces its row.
  auto at = std::lower_bound(m_block_ops.begin(), m_block_ops.end(), row.vtxindex,
                             [](const OpRow& r, uint32_t vtx) { return r.vtxindex < vtx; });
  if (at != m_block_ops.end() && at->vtxindex == row.vtxindex) {
    *at = row;
  } else {
    m_block_ops.insert(at, row);
  }
  return util::Ok();
}

util::Result<uint32_t> NameDb::UndoFrom() {
  BS_TRY(auto text, GetMeta("undo_from"));
  if (!text) return uint32_t{0};
  auto v = ParseStoredNumber<uint32_t>(*text);
  if (!v) return Fail(ErrorCode::Corruption, "undo_from is \"" + *text + "\", not a block number");
  return *v;
}

util::Status NameDb::EndBlock(const Snapshot& snap) {
  if (!m_block || *m_block != snap.block_id) return Fail(ErrorCode::Conflict, "EndBlock for a block not begun");
  auto fail = [&](util::Error e) {
    AbortBlock();
    return Fail(std::move(e));
  };
  auto s = m_db.Prepare(
      "INSERT OR REPLACE INTO snapshots(block_id, block_hash, consensus_hash, ops_hash) VALUES(?, ?, ?, ?)");
  if (!s) return fail(s.error());
  auto st = (*s)->Bind(1, int64_t{snap.block_id})
                .Bind(2, snap.block_hash)
                .Bind(3, snap.consensus_hash)
                .Bind(4, snap.ops_hash)
                .Run();
  if (!st) return fail(st.error());
  // The block's op log, one row (none for a block without operations).
  if (!m_block_ops.empty()) {
    auto put = m_db.Prepare("INSERT OR REPLACE INTO block_ops(block_id, ops) VALUES(?, ?)");
    if (!put) return fail(put.error());
    const std::string blob = EncodeOpLog(m_block_ops);
    if (auto p = (*put)->Bind(1, int64_t{snap.block_id}).BindBlob(2, util::AsBytes(blob)).Run(); !p) {
      return fail(p.error());
    }
    m_block_ops.clear();
  }
  // Undo entries older than UNDO_DEPTH blocks are deleted every UNDO_PRUNE_EVERY
  // blocks, not every block, and undo_from (from which block on they are all
  // kept) is written only then: most blocks leave the meta page alone. A block
  // below the undo horizon kept none, and raises undo_from to the horizon (past
  // itself). undo_from never moves back, even when blocks taken back by
  // reorganisations are written again.
  uint32_t floor = 0;
  if (snap.block_id >= UNDO_DEPTH && snap.block_id % UNDO_PRUNE_EVERY == 0) floor = snap.block_id - UNDO_DEPTH + 1;
  if (snap.block_id < m_undo_horizon) floor = std::max(floor, m_undo_horizon);
  if (floor > 0) {
    auto kept = UndoFrom();
    if (!kept) return fail(kept.error());
    if (floor > *kept) {
      auto prune = m_db.Prepare("DELETE FROM undo WHERE id < ?");
      if (!prune) return fail(prune.error());
      if (auto p = (*prune)->Bind(1, RowKey(floor, 0)).Run(); !p) return fail(p.error());
      if (auto m = SetMeta("undo_from", std::to_string(floor)); !m) return fail(m.error());
    }
  }
  // Bulk loads commit every m_bulk_per_commit blocks, or sooner when the blocks are
  // full of operations, so one transaction's dirty pages stay within the cache.
  if (!m_bulk_open || ++m_bulk_pending >= m_bulk_per_commit || m_bulk_ops >= BULK_OPS_PER_COMMIT) {
    m_bulk_ops = 0;
    if (auto c = m_db.Exec("COMMIT"); !c) return fail(c.error());
    m_bulk_open = false;
    m_bulk_pending = 0;
  }
  m_block.reset();
  if (m_name_cache.size() + m_preorder_cache.size() + m_owner_cache.size() > NAME_CACHE_ENTRIES) DropRecordCaches();
  m_ch_cache[snap.block_id] = snap.consensus_hash;
  // Only the last blocks are read often: keep the cache small.
  while (m_ch_cache.size() > 4096) m_ch_cache.erase(m_ch_cache.begin());
  return util::Ok();
}

util::Status NameDb::UndoBlock(uint32_t height) {
  if (m_bulk_per_commit > 0) return Fail(ErrorCode::Conflict, "cannot undo blocks while bulk loading");
  BS_TRY(auto last, LastBlock());
  if (!last || *last != height) return Fail(ErrorCode::Conflict, "can only undo the newest block");
  BS_TRY(uint32_t undo_from, UndoFrom());
  if (height < undo_from) {
    return Fail(ErrorCode::NotFound, "block " + std::to_string(height) +
                                         " is deeper than the kept undo records: the reorganisation needs a re-index");
  }
  BS_CHECK_OK(BeginBlock(height));
  m_ch_cache.erase(height);
  DropRecordCaches();
  auto body = [&]() -> util::Status {
    struct Entry {
      std::string kind, key;
      std::optional<std::string> old;
    };
    std::vector<Entry> entries;
    BS_TRY(Statement * s, m_db.Prepare("SELECT kind, key, old FROM undo WHERE id >= ? AND id < ? ORDER BY id DESC"));
    s->Bind(1, RowKey(height, 0)).Bind(2, RowKey(height + 1, 0));
    BS_CHECK_OK(ForEachRow(s, [&](Statement& r) { entries.push_back({r.Text(0), r.Text(1), r.OptText(2)}); }));
    for (auto& e : entries) {
      const bool is_name = e.kind == UNDO_NAME || e.kind == UNDO_NAME_FROM_HISTORY;
      std::string table = is_name ? "name_records" : e.kind == UNDO_NAMESPACE ? "namespaces" : "preorders";
      std::string key_col = is_name ? "name" : e.kind == UNDO_NAMESPACE ? "namespace_id" : "preorder_hash";
      if (!e.old) {
        if (e.kind == UNDO_NAMESPACE) m_ns_cache.erase(e.key);
        BS_TRY(Statement * del, m_db.Prepare("DELETE FROM " + table + " WHERE " + key_col + " = ?"));
        BS_CHECK_OK(del->Bind(1, e.key).Run());
        continue;
      }
      int64_t history_row = 0;
      const bool from_history = e.kind == UNDO_NAME_FROM_HISTORY || e.kind == UNDO_PREORDER_FROM_HISTORY;
      if (from_history) {
        // The history rows of earlier blocks stay; this block's are deleted below.
        BS_TRY(history_row, ParseRowid(*e.old));
        BS_TRY(Statement * h, m_db.Prepare("SELECT history_id, data FROM history WHERE id = ?"));
        h->Bind(1, history_row);
        std::optional<std::pair<std::string, std::string>> row;
        BS_CHECK_OK(ForEachRow(h, [&](Statement& r) { row.emplace(r.Text(0), r.Text(1)); }));
        if (!row || (is_name && row->first != e.key)) {
          return Fail(ErrorCode::Corruption, "the undo entry of " + e.key + " names history row " + *e.old +
                                                 ", which does not hold it");
        }
        e.old = std::move(row->second);
      }
      if (is_name) {
        BS_TRY(auto rec, DecodeNameRecord(*e.old));
        BS_CHECK_OK(PutName(rec, &*e.old, history_row, nullptr));
      } else if (e.kind == UNDO_NAMESPACE) {
        BS_TRY(auto rec, DecodeNamespaceRecord(*e.old));
        BS_CHECK_OK(PutNamespace(rec));
      } else {
        BS_TRY(auto rec, DecodePreorderRecord(*e.old));
        if (rec.preorder_hash != e.key) {
          return Fail(ErrorCode::Corruption, "the undo entry of preorder " + e.key + " holds preorder " +
                                                 rec.preorder_hash + " instead");
        }
        BS_CHECK_OK(PutPreorder(rec));
      }
    }
    BS_TRY(int64_t first_row, FirstHistoryRowFrom(height));
    BS_TRY(int64_t end_row, FirstHistoryRowFrom(height + 1));
    BS_TRY(Statement * dh, m_db.Prepare("DELETE FROM history WHERE id >= ? AND id < ?"));
    BS_CHECK_OK(dh->Bind(1, first_row).Bind(2, end_row).Run());
    BS_TRY(Statement * ds, m_db.Prepare("DELETE FROM snapshots WHERE block_id = ?"));
    BS_CHECK_OK(ds->Bind(1, int64_t{height}).Run());
    BS_TRY(Statement * dops, m_db.Prepare("DELETE FROM block_ops WHERE block_id = ?"));
    BS_CHECK_OK(dops->Bind(1, int64_t{height}).Run());
    BS_TRY(Statement * du, m_db.Prepare("DELETE FROM undo WHERE id >= ? AND id < ?"));
    return du->Bind(1, RowKey(height, 0)).Bind(2, RowKey(height + 1, 0)).Run();
  };
  auto st = body();
  DropRecordCaches();  // the undo wrote and deleted rows behind it
  if (!st) {
    AbortBlock();
    return st;
  }
  if (auto c = m_db.Exec("COMMIT"); !c) {
    AbortBlock();
    return c;
  }
  m_block.reset();
  return util::Ok();
}

// --- reads ---

util::Status NameDb::BeginRead() { return m_db.Exec("BEGIN"); }

void NameDb::EndRead() { (void)m_db.Exec("COMMIT"); }

util::Result<std::optional<uint32_t>> NameDb::LastBlock() {
  // Every block written has its snapshot row, in the same transaction.
  BS_TRY(Statement * s, m_db.Prepare("SELECT MAX(block_id) FROM snapshots"));
  BS_TRY(bool row, s->Step());
  std::optional<uint32_t> last;
  if (row && !s->IsNull(0)) last = static_cast<uint32_t>(s->Int(0));
  s->Reset();
  return last;
}

util::Result<std::optional<Snapshot>> NameDb::SnapshotAt(uint32_t height) {
  BS_TRY(Statement * s,
         m_db.Prepare("SELECT block_id, block_hash, consensus_hash, ops_hash FROM snapshots WHERE block_id = ?"));
  s->Bind(1, int64_t{height});
  BS_TRY(bool row, s->Step());
  std::optional<Snapshot> out;
  if (row) out = Snapshot{static_cast<uint32_t>(s->Int(0)), s->Text(1), s->Text(2), s->Text(3)};
  s->Reset();
  return out;
}

util::Result<std::optional<NameRecord>> NameDb::GetNameAt(std::string_view fqn, uint32_t height) {
  BS_CHECK_OK(RequireHistoryIndex());
  BS_TRY(Statement * s, m_db.Prepare("SELECT data FROM history WHERE history_id = ? AND block_id <= ? AND opcode != "
                                     "'NAME_PREORDER' ORDER BY block_id DESC, vtxindex DESC LIMIT 1"));
  s->Bind(1, fqn).Bind(2, int64_t{height});
  BS_TRY(auto texts, Texts(s));
  return DecodeFirst<NameRecord>(texts, DecodeNameRecord);
}

util::Result<std::vector<HistoryRow>> NameDb::History(std::string_view id, uint32_t page, uint32_t page_size) {
  BS_CHECK_OK(RequireHistoryIndex());
  BS_TRY(Statement * s, m_db.Prepare("SELECT block_id, vtxindex, txid, op, opcode, value_hash, data FROM history WHERE "
                                     "history_id = ? ORDER BY block_id DESC, vtxindex DESC LIMIT ? OFFSET ?"));
  s->Bind(1, id).Bind(2, int64_t{page_size}).Bind(3, int64_t{page} * page_size);
  std::vector<HistoryRow> out;
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) {
    out.push_back({static_cast<uint32_t>(r.Int(0)), static_cast<uint32_t>(r.Int(1)), r.Text(2), r.Text(3), r.Text(4),
                   r.OptText(5), r.Text(6)});
  }));
  // Rows hold the records' stored forms; callers get their JSON.
  for (auto& row : out) {
    BS_TRY(row.data, StoredRecordJson(row.data));
  }
  return out;
}

util::Result<std::vector<NamespaceRecord>> NameDb::AllNamespaces() {
  BS_TRY(Statement * s, m_db.Prepare("SELECT data FROM namespaces ORDER BY namespace_id"));
  BS_TRY(auto texts, Texts(s));
  return DecodeAll<NamespaceRecord>(texts, DecodeNamespaceRecord);
}

util::Result<std::vector<NameRecord>> NameDb::AllNames(uint32_t offset, uint32_t limit) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT data FROM name_records ORDER BY name LIMIT ? OFFSET ?"));
  s->Bind(1, int64_t{limit}).Bind(2, int64_t{offset});
  BS_TRY(auto texts, Texts(s));
  return DecodeAll<NameRecord>(texts, DecodeNameRecord);
}

util::Result<std::vector<NameRecord>> NameDb::NamesAfter(std::string_view after, uint32_t limit) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT data FROM name_records WHERE name > ? ORDER BY name LIMIT ?"));
  s->Bind(1, after).Bind(2, int64_t{limit});
  BS_TRY(auto texts, Texts(s));
  return DecodeAll<NameRecord>(texts, DecodeNameRecord);
}

util::Status NameDb::ForEachNameOperationCount(const std::function<void(std::string_view name, uint32_t count)>& each) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT history_id, COUNT(*) FROM history WHERE opcode IN ('NAME_REGISTRATION', "
                                     "'NAME_RENEWAL', 'NAME_UPDATE', 'NAME_TRANSFER', 'NAME_REVOKE', 'NAME_IMPORT') "
                                     "GROUP BY history_id"));
  return ForEachRow(s, [&](Statement& r) { each(r.Text(0), static_cast<uint32_t>(r.Int(1))); });
}

util::Result<int64_t> NameDb::FirstHistoryRowFrom(uint32_t block) {
  // The smallest x such that the first row at or after x (if any) was written at
  // `block` or later: the answer is monotone in x, so a binary search over the
  // rowids finds it, each probe one seek in the table's own B-tree.
  BS_TRY(Statement * bounds, m_db.Prepare("SELECT MIN(id), MAX(id) FROM history"));
  BS_TRY(bool any, bounds->Step());
  if (!any || bounds->IsNull(0)) {
    bounds->Reset();
    return int64_t{0};
  }
  int64_t lo = bounds->Int(0);
  int64_t hi = bounds->Int(1) + 1;
  bounds->Reset();
  BS_TRY(Statement * probe, m_db.Prepare("SELECT written_block FROM history WHERE id >= ? ORDER BY id LIMIT 1"));
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    probe->Bind(1, mid);
    BS_TRY(bool row, probe->Step());
    const bool at_or_after = !row || probe->Int(0) >= int64_t{block};
    probe->Reset();
    if (at_or_after) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

util::Result<std::vector<std::string>> NameDb::HistoryIdsWrittenBetween(uint32_t after, uint32_t upto) {
  if (upto <= after) return std::vector<std::string>{};
  BS_TRY(int64_t from, FirstHistoryRowFrom(after + 1));
  BS_TRY(int64_t to, FirstHistoryRowFrom(upto + 1));
  BS_TRY(Statement * s, m_db.Prepare("SELECT DISTINCT history_id FROM history WHERE id >= ? AND id < ?"));
  s->Bind(1, from).Bind(2, to);
  return Texts(s);
}

util::Status NameDb::SetCatchingUp(bool catching_up) {
  // A bulk load drops and builds its own indexes.
  if (m_block || m_bulk_open || m_bulk_per_commit > 0) return util::Ok();
  BS_TRY(auto marked, GetMeta(CATCHING_UP));
  if (catching_up == marked.has_value()) return util::Ok();
  const auto start = std::chrono::steady_clock::now();
  auto st = InTransaction(m_db, [&]() -> util::Status {
    if (catching_up) {
      BS_CHECK_OK(DropQueryIndexes());
      return SetMeta(CATCHING_UP, "1");
    }
    // SQLite sorts the index's keys in memory up to the page cache's size, beside
    // the cache itself: with a small cache the build sorts in runs on disk, and
    // the node's memory stays where indexing keeps it.
    BS_CHECK_OK(m_db.Exec("PRAGMA cache_size=-4096"));
    auto built = BuildQueryIndexes();
    BS_CHECK_OK(m_db.Exec(WRITER_CACHE_SIZE));
    BS_CHECK_OK(built);
    return DeleteMeta(CATCHING_UP);
  });
  if (!st) {
    (void)m_db.Exec(WRITER_CACHE_SIZE);
    return st;
  }
  if (catching_up) {
    spdlog::info(
        "catching up: the indexes of zone-file hashes, name histories, namespaces and consensus hashes are left "
        "out until the chain's tip");
  } else {
    spdlog::info(
        "at the chain's tip: the indexes of zone-file hashes, name histories, namespaces and consensus hashes "
        "were built in {:.1f} s",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return util::Ok();
}

util::Status NameDb::DropQueryIndexes() {
  for (const auto& index : QUERY_INDEXES) BS_CHECK_OK(m_db.Exec(std::string("DROP INDEX IF EXISTS ") + index.name));
  return util::Ok();
}

util::Status NameDb::BuildQueryIndexes() {
  for (const auto& index : QUERY_INDEXES) BS_CHECK_OK(m_db.Exec(index.sql));
  return util::Ok();
}

util::Status NameDb::RequireIndex(const char* name, const char* answers) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?"));
  s->Bind(1, name);
  BS_TRY(bool present, s->Step());
  s->Reset();
  if (present) return util::Ok();
  return Fail(ErrorCode::Unavailable, std::string("the node is catching up with the chain: ") + answers +
                                          " are answered once it reaches the tip");
}

util::Status NameDb::RequireValueHashIndex() {
  return RequireIndex(VALUE_HASH_INDEX_NAME, "lookups by zone-file hash");
}

util::Result<std::vector<HistoryRow>> NameDb::HistoryAt(uint32_t height) {
  BS_CHECK_OK(RequireIndex(HISTORY_BY_BLOCK_INDEX_NAME, "the operations of a block"));
  BS_TRY(Statement * s, m_db.Prepare("SELECT block_id, vtxindex, txid, op, opcode, value_hash, data "
                                     "FROM history WHERE block_id = ? ORDER BY vtxindex, id"));
  s->Bind(1, int64_t{height});
  std::vector<HistoryRow> out;
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) {
    out.push_back({static_cast<uint32_t>(r.Int(0)), static_cast<uint32_t>(r.Int(1)), r.Text(2), r.Text(3), r.Text(4),
                   r.OptText(5), r.Text(6)});
  }));
  for (auto& row : out) {
    BS_TRY(row.data, StoredRecordJson(row.data));
  }
  return out;
}

util::Result<std::optional<std::string>> NameDb::NameCreatedBy(std::string_view address, uint64_t index) {
  BS_CHECK_OK(RequireIndex(CREATOR_INDEX_NAME, "DIDs"));
  BS_TRY(Statement * s, m_db.Prepare("SELECT history_id FROM history WHERE creator_address = ? AND opcode IN "
                                     "('NAME_REGISTRATION', 'NAME_IMPORT') ORDER BY block_id, vtxindex "
                                     "LIMIT 1 OFFSET ?"));
  s->Bind(1, address).Bind(2, static_cast<int64_t>(index));
  BS_TRY(auto names, Texts(s));
  if (names.empty()) return std::optional<std::string>();
  return std::optional<std::string>(names.front());
}

util::Result<std::optional<NameDb::Creation>> NameDb::CreationOf(std::string_view fqn) {
  BS_CHECK_OK(RequireIndex(CREATOR_INDEX_NAME, "DIDs"));
  BS_CHECK_OK(RequireHistoryIndex());
  BS_TRY(Statement * last, m_db.Prepare("SELECT creator_address, block_id, vtxindex FROM history WHERE history_id = ? "
                                        "AND creator_address IS NOT NULL AND opcode IN ('NAME_REGISTRATION', "
                                        "'NAME_IMPORT') ORDER BY block_id DESC, vtxindex DESC LIMIT 1"));
  last->Bind(1, fqn);
  std::optional<Creation> out;
  int64_t block = 0, vtxindex = 0;
  BS_CHECK_OK(ForEachRow(last, [&](Statement& r) {
    out = Creation{.address = r.Text(0)};
    block = r.Int(1);
    vtxindex = r.Int(2);
  }));
  if (!out) return out;
  BS_TRY(Statement * before, m_db.Prepare("SELECT COUNT(*) FROM history WHERE creator_address = ? AND opcode IN "
                                          "('NAME_REGISTRATION', 'NAME_IMPORT') AND (block_id < ? OR "
                                          "(block_id = ? AND vtxindex < ?))"));
  before->Bind(1, out->address).Bind(2, block).Bind(3, block).Bind(4, vtxindex);
  BS_CHECK_OK(ForEachRow(before, [&](Statement& r) { out->index = static_cast<uint64_t>(r.Int(0)); }));
  return out;
}

util::Status NameDb::RequireHistoryIndex() { return RequireIndex(HISTORY_INDEX_NAME, "name histories"); }

util::Result<bool> NameDb::IsValueHashKnown(std::string_view value_hash) {
  BS_CHECK_OK(RequireValueHashIndex());
  BS_TRY(Statement * s, m_db.Prepare("SELECT 1 FROM history WHERE value_hash = ? AND value_hash_new = 1 LIMIT 1"));
  s->Bind(1, value_hash);
  BS_TRY(bool row, s->Step());
  s->Reset();
  return row;
}

util::Result<std::vector<std::string>> NameDb::HistoryIdsWithValueHash(std::string_view value_hash) {
  BS_CHECK_OK(RequireValueHashIndex());
  BS_TRY(Statement * s, m_db.Prepare("SELECT DISTINCT history_id FROM history WHERE value_hash = ? AND value_hash_new = 1"));
  s->Bind(1, value_hash);
  return Texts(s);
}

util::Result<std::vector<std::string>> NameDb::ValueHashesUpTo(uint32_t height) {
  BS_TRY(int64_t to, FirstHistoryRowFrom(height + 1));
  BS_TRY(Statement * s, m_db.Prepare("SELECT DISTINCT value_hash FROM history WHERE id < ? AND "
                                     "value_hash IS NOT NULL AND value_hash_new = 1 ORDER BY value_hash"));
  s->Bind(1, to);
  return Texts(s);
}

namespace {
constexpr const char* SLOT_FILTER =
    "opcode IN ('NAME_REGISTRATION', 'NAME_UPDATE', 'NAME_IMPORT', 'NAME_RENEWAL') AND value_hash IS NOT NULL";
}

util::Result<std::vector<interfaces::ZonefileSlot>> NameDb::ZonefileSlotsFrom(uint32_t height) {
  // Rows are in operation order by rowid: blocks in order, and a block's rows in
  // transaction order.
  BS_TRY(int64_t from, FirstHistoryRowFrom(height));
  BS_TRY(Statement * s, m_db.Prepare(std::string("SELECT history_id, value_hash, txid, written_block, vtxindex FROM "
                                                 "history WHERE id >= ? AND ") +
                                     SLOT_FILTER + " ORDER BY id"));
  s->Bind(1, from);
  std::vector<interfaces::ZonefileSlot> out;
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) {
    out.push_back({r.Text(0), r.Text(1), r.Text(2), static_cast<uint32_t>(r.Int(3)), static_cast<uint32_t>(r.Int(4))});
  }));
  return out;
}

util::Result<uint64_t> NameDb::ZonefileSlotCountBelow(uint32_t height) {
  BS_TRY(int64_t to, FirstHistoryRowFrom(height));
  BS_TRY(Statement * s, m_db.Prepare(std::string("SELECT COUNT(*) FROM history WHERE id < ? AND ") + SLOT_FILTER));
  s->Bind(1, to);
  BS_TRY(bool row, s->Step());
  uint64_t n = row ? static_cast<uint64_t>(s->Int(0)) : 0;
  s->Reset();
  return n;
}

util::Result<uint64_t> NameDb::NameRowCount() {
  BS_TRY(Statement * s, m_db.Prepare("SELECT COUNT(*) FROM name_records"));
  BS_TRY(bool row, s->Step());
  uint64_t n = row ? static_cast<uint64_t>(s->Int(0)) : 0;
  s->Reset();
  return n;
}

util::Result<std::vector<OpRow>> NameDb::OpsAt(uint32_t height) {
  BS_TRY(Statement * s, m_db.Prepare("SELECT ops FROM block_ops WHERE block_id = ?"));
  s->Bind(1, int64_t{height});
  std::optional<std::string> blob;
  BS_CHECK_OK(ForEachRow(s, [&](Statement& r) { blob = r.Text(0); }));
  if (!blob) return std::vector<OpRow>{};
  return DecodeOpLog(*blob, height);
}

}  // namespace blockstack::bns::db

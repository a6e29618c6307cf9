#include <subdomain/index.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <crypto/hash.h>
#include <subdomain/record.h>
#include <util/bytes.h>

#include <spdlog/spdlog.h>

namespace blockstack::subdomain {
namespace {

using db::Statement;
using util::ErrorCode;
using util::Fail;

constexpr const char* SCHEMA_VERSION = "1";
constexpr const char* SCHEMA = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS slots(
  slot INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, txid TEXT NOT NULL,
  block_height INTEGER NOT NULL, vtxindex INTEGER NOT NULL, read INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS slots_unread ON slots(slot) WHERE read = 0;
CREATE INDEX IF NOT EXISTS slots_unread_by_hash ON slots(hash) WHERE read = 0;
CREATE INDEX IF NOT EXISTS slots_by_txid ON slots(txid);
CREATE TABLE IF NOT EXISTS records(
  fqn TEXT NOT NULL, slot INTEGER NOT NULL, domain TEXT NOT NULL, seqn INTEGER NOT NULL, owner TEXT NOT NULL,
  zonefile BLOB NOT NULL, sig TEXT, independent INTEGER NOT NULL, accepted INTEGER NOT NULL, resolver TEXT,
  PRIMARY KEY(fqn, slot));
CREATE INDEX IF NOT EXISTS records_by_slot ON records(slot);
CREATE INDEX IF NOT EXISTS records_by_domain ON records(domain, fqn) WHERE accepted = 1;
CREATE INDEX IF NOT EXISTS records_origins ON records(owner, slot) WHERE seqn = 0 AND accepted = 1;
CREATE TABLE IF NOT EXISTS current(fqn TEXT PRIMARY KEY, slot INTEGER NOT NULL, owner TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS current_by_owner ON current(owner, fqn);
CREATE TABLE IF NOT EXISTS checkpoints(height INTEGER PRIMARY KEY, consensus TEXT NOT NULL);
)SQL";
// Blocks below the tip whose consensus hashes are kept to find where a
// reorganisation left our chain (the name database undoes at most 1,000).
constexpr uint32_t CHECKPOINT_DEPTH = 1100;
// Unread slots looked at per transaction (their zone files read when stored).
constexpr std::size_t READS_PER_COMMIT = 1000;
// How often the worker runs without being woken.
constexpr auto IDLE_INTERVAL = std::chrono::seconds(5);

struct StoredRecord {
  int64_t slot = 0;
  bool accepted = false;
  Record record;
};

}  // namespace

util::Result<std::unique_ptr<SubdomainIndex>> SubdomainIndex::Open(const std::string& path, uint32_t first_block,
                                                                   interfaces::ZonefileIndex& slots,
                                                                   ZonefileReader reader) {
  BS_TRY(db::Sqlite writer, db::Sqlite::Open(path, false));
  BS_CHECK_OK(writer.Exec(SCHEMA));
  std::unique_ptr<SubdomainIndex> index(nullptr);
  BS_TRY(db::Sqlite read_conn, db::Sqlite::Open(path, true));
  index.reset(new SubdomainIndex(std::move(writer), std::move(read_conn), first_block, slots, std::move(reader)));
  BS_TRY(auto version, index->GetMeta("schema_version"));
  if (version && std::to_string(*version) != SCHEMA_VERSION)
    return Fail(ErrorCode::Corruption, path + " holds a subdomain index of another version");
  BS_TRY(auto first, index->GetMeta("first_block"));
  if (first && *first != first_block)
    return Fail(ErrorCode::InvalidArgument, path + " was indexed from block " + std::to_string(*first));
  BS_CHECK_OK(index->SetMeta("schema_version", std::stoll(SCHEMA_VERSION)));
  BS_CHECK_OK(index->SetMeta("first_block", first_block));
  return index;
}

SubdomainIndex::SubdomainIndex(db::Sqlite writer, db::Sqlite reader, uint32_t first_block,
                               interfaces::ZonefileIndex& slots, ZonefileReader zonefiles)
    : m_writer(std::move(writer)),
      m_reader(std::move(reader)),
      m_first_block(first_block),
      m_slots(slots),
      m_zonefiles(std::move(zonefiles)) {}

SubdomainIndex::~SubdomainIndex() { Stop(); }

util::Status SubdomainIndex::SetMeta(std::string_view key, int64_t value) {
  BS_TRY(Statement * s, m_writer.Prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  return s->Bind(1, key).Bind(2, value).Run();
}

util::Result<std::optional<int64_t>> SubdomainIndex::GetMeta(std::string_view key) {
  BS_TRY(Statement * s, m_writer.Prepare("SELECT value FROM meta WHERE key = ?"));
  s->Bind(1, key);
  BS_TRY(bool row, s->Step());
  std::optional<int64_t> out;
  if (row) out = s->Int(0);
  s->Reset();
  return out;
}

util::Status SubdomainIndex::Update() {
  std::lock_guard lock(m_write_mutex);
  m_changed = false;
  std::set<std::string> stored;
  {
    std::lock_guard pending(m_stored_mutex);
    stored.swap(m_stored);
  }
  util::Status st = util::Ok();
  auto first_new = SyncSlots();
  if (!first_new) st = util::Unexpected(first_new.error());
  // New slots are looked at whatever their hash; older unread ones only when
  // their zone file was reported stored (or, once after opening, all of them).
  if (st) st = ReadZonefiles(m_scan_all ? std::optional<uint64_t>(0) : *first_new, stored);
  if (st) {
    m_scan_all = false;
  } else {
    m_scan_all = true;  // what was reported may not have been read
  }
  if (m_changed && m_on_changed) m_on_changed();
  return st;
}

// Brings the slot table level with the name database. The consensus hashes of
// the blocks we read slots from (and of each tip we synced to) are kept; the
// highest of them the database still agrees with is where the chains meet, and
// our slots above it are taken back before the database's are copied. Everything
// read from the database is read between two readings of the tip's consensus
// hash: when they differ, a reorganisation came in between, and nothing is
// written until the next call.
util::Result<std::optional<uint64_t>> SubdomainIndex::SyncSlots() {
  const std::optional<uint64_t> none;
  BS_TRY(auto last, m_slots.LastBlock());
  if (!last || *last < m_first_block) return none;
  BS_TRY(auto tip, m_slots.ConsensusHashAt(*last));
  if (!tip) return none;
  BS_TRY(auto synced, GetMeta("synced_to"));
  std::vector<std::pair<uint32_t, std::string>> checkpoints;  // ours, highest first
  {
    BS_TRY(Statement * s, m_writer.Prepare("SELECT height, consensus FROM checkpoints ORDER BY height DESC"));
    while (true) {
      BS_TRY(bool row, s->Step());
      if (!row) break;
      checkpoints.emplace_back(static_cast<uint32_t>(s->Int(0)), s->Text(1));
    }
    s->Reset();
  }
  if (synced && *synced == *last && !checkpoints.empty() && checkpoints.front() == std::pair(*last, *tip)) return none;
  // The highest checkpoint the database agrees with.
  std::optional<uint32_t> agree;
  for (const auto& [height, consensus] : checkpoints) {
    if (height > *last) continue;
    BS_TRY(auto theirs, m_slots.ConsensusHashAt(height));
    if (theirs && *theirs == consensus) {
      agree = height;
      break;
    }
  }
  // What we keep (our slots below the meeting point) must line up with theirs.
  BS_TRY(uint64_t base, m_slots.SlotCountBelow(m_first_block));
  uint32_t from = agree ? *agree + 1 : m_first_block;
  BS_TRY(uint64_t below, m_slots.SlotCountBelow(from));
  {
    BS_TRY(Statement * kept, m_writer.Prepare("SELECT COUNT(*), MIN(slot) FROM slots WHERE block_height < ?"));
    kept->Bind(1, static_cast<int64_t>(from));
    BS_TRY(bool row, kept->Step());
    const uint64_t ours = row ? static_cast<uint64_t>(kept->Int(0)) : 0;
    const bool aligned =
        ours == 0 ? below == base : static_cast<uint64_t>(kept->Int(1)) == base && ours == below - base;
    kept->Reset();
    if (!aligned) {
      agree.reset();
      from = m_first_block;
      below = base;
    }
  }
  if (!agree && !checkpoints.empty())
    spdlog::warn("subdomains: the name database left the blocks we read; reading every zone file again");
  BS_TRY(auto fresh, m_slots.SlotsFrom(from));
  std::erase_if(fresh, [&](const interfaces::ZonefileSlot& s) { return s.block_height > *last; });
  // The consensus hashes to keep: the recent blocks that hold slots, and the tip.
  std::vector<std::pair<uint32_t, std::string>> marks;
  for (const auto& slot : fresh) {
    if (slot.block_height + CHECKPOINT_DEPTH < *last || (!marks.empty() && marks.back().first == slot.block_height))
      continue;
    BS_TRY(auto consensus, m_slots.ConsensusHashAt(slot.block_height));
    if (consensus) marks.emplace_back(slot.block_height, *consensus);
  }
  marks.emplace_back(*last, *tip);
  BS_TRY(auto tip_again, m_slots.ConsensusHashAt(*last));
  if (tip_again != tip) return none;

  BS_CHECK_OK(db::InTransaction(m_writer, [&]() -> util::Status {
    if (!agree) {
      BS_CHECK_OK(RollBack(0));
    } else {
      BS_TRY(Statement * first, m_writer.Prepare("SELECT MIN(slot) FROM slots WHERE block_height >= ?"));
      first->Bind(1, static_cast<int64_t>(from));
      BS_TRY(bool has_row, first->Step());
      const std::optional<int64_t> first_above =
          has_row && !first->IsNull(0) ? std::optional<int64_t>(first->Int(0)) : std::nullopt;
      first->Reset();
      if (first_above) BS_CHECK_OK(RollBack(static_cast<uint64_t>(*first_above)));
    }
    BS_TRY(Statement * drop, m_writer.Prepare("DELETE FROM checkpoints WHERE height >= ? OR height + ? < ?"));
    BS_CHECK_OK(drop->Bind(1, static_cast<int64_t>(from))
                    .Bind(2, static_cast<int64_t>(CHECKPOINT_DEPTH))
                    .Bind(3, static_cast<int64_t>(*last))
                    .Run());
    BS_TRY(Statement * put, m_writer.Prepare("INSERT INTO slots(slot, name, hash, txid, block_height, vtxindex, read) "
                                             "VALUES(?, ?, ?, ?, ?, ?, 0)"));
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      const auto& slot = fresh[i];
      put->Bind(1, static_cast<int64_t>(below + i))
          .Bind(2, slot.name)
          .Bind(3, slot.hash)
          .Bind(4, slot.txid)
          .Bind(5, static_cast<int64_t>(slot.block_height))
          .Bind(6, static_cast<int64_t>(slot.vtxindex));
      BS_CHECK_OK(put->Run());
    }
    BS_TRY(Statement * mark, m_writer.Prepare("INSERT OR REPLACE INTO checkpoints(height, consensus) VALUES(?, ?)"));
    for (const auto& [height, consensus] : marks) {
      BS_CHECK_OK(mark->Bind(1, static_cast<int64_t>(height)).Bind(2, consensus).Run());
    }
    return SetMeta("synced_to", *last);
  }));
  return fresh.empty() ? none : std::optional<uint64_t>(below);
}

util::Status SubdomainIndex::RollBack(uint64_t from_slot) {
  std::vector<std::string> fqns;
  BS_TRY(Statement * s, m_writer.Prepare("SELECT DISTINCT fqn FROM records WHERE slot >= ?"));
  s->Bind(1, static_cast<int64_t>(from_slot));
  while (true) {
    BS_TRY(bool row, s->Step());
    if (!row) break;
    fqns.push_back(s->Text(0));
  }
  s->Reset();
  BS_TRY(Statement * dr, m_writer.Prepare("DELETE FROM records WHERE slot >= ?"));
  BS_CHECK_OK(dr->Bind(1, static_cast<int64_t>(from_slot)).Run());
  BS_TRY(Statement * ds, m_writer.Prepare("DELETE FROM slots WHERE slot >= ?"));
  BS_CHECK_OK(ds->Bind(1, static_cast<int64_t>(from_slot)).Run());
  for (const auto& fqn : fqns) BS_CHECK_OK(Recompute(fqn));
  m_changed = m_changed || !fqns.empty();
  return util::Ok();
}

// Reads the subdomain records of the unread slots from from_slot on, and of the
// unread slots announcing one of `hashes`, whose zone files are stored now, and
// recomputes the subdomains they name.
util::Status SubdomainIndex::ReadZonefiles(std::optional<uint64_t> from_slot, const std::set<std::string>& hashes) {
  std::vector<UnreadSlot> batch;
  // Appends the (slot, name, hash) rows of a bound statement to batch.
  auto append = [&batch](Statement* s) -> util::Status {
    while (true) {
      BS_TRY(bool row, s->Step());
      if (!row) break;
      batch.push_back({s->Int(0), s->Text(1), s->Text(2)});
    }
    s->Reset();
    return util::Ok();
  };
  if (from_slot) {
    int64_t after = static_cast<int64_t>(*from_slot) - 1;
    while (true) {
      batch.clear();
      BS_TRY(Statement * s, m_writer.Prepare("SELECT slot, name, hash FROM slots WHERE read = 0 AND slot > ? "
                                             "ORDER BY slot LIMIT " +
                                             std::to_string(READS_PER_COMMIT)));
      BS_CHECK_OK(append(&s->Bind(1, after)));
      if (batch.empty()) break;
      after = batch.back().slot;
      BS_CHECK_OK(ReadBatch(batch));
    }
  }
  batch.clear();
  BS_TRY(Statement * by_hash, m_writer.Prepare("SELECT slot, name, hash FROM slots WHERE hash = ? AND read = 0"));
  for (const auto& hash : hashes) {
    BS_CHECK_OK(append(&by_hash->Bind(1, hash)));
    if (batch.size() >= READS_PER_COMMIT) {
      BS_CHECK_OK(ReadBatch(batch));
      batch.clear();
    }
  }
  if (!batch.empty()) BS_CHECK_OK(ReadBatch(batch));
  return util::Ok();
}

// One transaction: the records of the slots whose zone files are stored, the
// slots marked read, and the subdomains they name recomputed.
util::Status SubdomainIndex::ReadBatch(const std::vector<UnreadSlot>& batch) {
  return db::InTransaction(m_writer, [&]() -> util::Status {
    std::set<std::string> fqns;
    BS_TRY(Statement * put, m_writer.Prepare("INSERT OR REPLACE INTO records(fqn, slot, domain, seqn, owner, zonefile, "
                                             "sig, independent, accepted, resolver) "
                                             "VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"));
    BS_TRY(Statement * mark, m_writer.Prepare("UPDATE slots SET read = 1 WHERE slot = ?"));
    for (const auto& p : batch) {
      BS_TRY(auto text, m_zonefiles(p.hash));
      if (!text) continue;
      if (auto parsed = ParseZonefileSubdomains(p.name, *text)) {
        for (const auto& r : parsed->records) {
          put->Bind(1, r.fqn)
              .Bind(2, p.slot)
              .Bind(3, r.domain)
              .Bind(4, r.seqn)
              .Bind(5, r.owner)
              .BindBlob(6, util::AsBytes(r.zonefile))
              .Bind(7, r.sig)
              .Bind(8, static_cast<int64_t>(r.independent))
              .Bind(9, parsed->resolver);
          BS_CHECK_OK(put->Run());
          fqns.insert(r.fqn);
        }
      }
      BS_CHECK_OK(mark->Bind(1, p.slot).Run());
    }
    for (const auto& fqn : fqns) BS_CHECK_OK(Recompute(fqn));
    m_changed = m_changed || !fqns.empty();
    return util::Ok();
  });
}

// A subdomain's state from all its records (the rules in index.h).
util::Status SubdomainIndex::Recompute(const std::string& fqn) {
  std::vector<StoredRecord> records;
  BS_TRY(Statement * s, m_writer.Prepare("SELECT slot, accepted, domain, seqn, owner, zonefile, sig, independent "
                                         "FROM records WHERE fqn = ? ORDER BY seqn, slot"));
  s->Bind(1, fqn);
  while (true) {
    BS_TRY(bool row, s->Step());
    if (!row) break;
    StoredRecord r;
    r.slot = s->Int(0);
    r.accepted = s->Int(1) != 0;
    r.record.fqn = fqn;
    r.record.domain = s->Text(2);
    r.record.seqn = s->Int(3);
    r.record.owner = s->Text(4);
    auto zf = s->Blob(5);
    r.record.zonefile.assign(zf.begin(), zf.end());
    r.record.sig = s->OptText(6);
    r.record.independent = s->Int(7) != 0;
    records.push_back(std::move(r));
  }
  s->Reset();

  const StoredRecord* tip = nullptr;
  std::vector<std::pair<int64_t, bool>> changes;
  for (auto& r : records) {
    const bool accept = Accepts(tip ? &tip->record : nullptr, r.record);
    if (accept) tip = &r;
    if (accept != r.accepted) changes.emplace_back(r.slot, accept);
  }
  BS_TRY(Statement * mark, m_writer.Prepare("UPDATE records SET accepted = ? WHERE fqn = ? AND slot = ?"));
  for (const auto& [slot, accepted] : changes) {
    BS_CHECK_OK(mark->Bind(1, static_cast<int64_t>(accepted)).Bind(2, fqn).Bind(3, slot).Run());
  }
  if (tip) {
    BS_TRY(Statement * put, m_writer.Prepare("INSERT OR REPLACE INTO current(fqn, slot, owner) VALUES(?, ?, ?)"));
    return put->Bind(1, fqn).Bind(2, tip->slot).Bind(3, tip->record.owner).Run();
  }
  BS_TRY(Statement * del, m_writer.Prepare("DELETE FROM current WHERE fqn = ?"));
  return del->Bind(1, fqn).Run();
}

namespace {

// The columns StateFrom reads, from records r joined with slots s.
constexpr const char* STATE_COLUMNS =
    "r.domain, r.owner, r.seqn, r.zonefile, s.txid, s.block_height, r.slot, r.resolver";

// The state from STATE_COLUMNS, the first of them at column `at`.
SubdomainState StateFrom(const Statement& s, std::string_view fqn, int at = 0) {
  SubdomainState st;
  st.fqn = std::string(fqn);
  st.domain = s.Text(at);
  st.owner = s.Text(at + 1);
  st.seqn = s.Int(at + 2);
  auto zf = s.Blob(at + 3);
  st.zonefile.assign(zf.begin(), zf.end());
  st.zonefile_hash = crypto::Hash160Of(util::AsBytes(st.zonefile)).Hex();
  st.txid = s.Text(at + 4);
  st.block_height = static_cast<uint32_t>(s.Int(at + 5));
  st.slot = static_cast<uint64_t>(s.Int(at + 6));
  st.resolver = s.OptText(at + 7);
  return st;
}

}  // namespace

util::Result<std::vector<SubdomainState>> SubdomainIndex::States(const std::string& from_where, std::string_view fqn) {
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare(std::string("SELECT ") + STATE_COLUMNS + from_where));
  s->Bind(1, fqn);
  std::vector<SubdomainState> out;
  while (true) {
    BS_TRY(bool row, s->Step());
    if (!row) break;
    out.push_back(StateFrom(*s, fqn));
  }
  s->Reset();
  return out;
}

util::Result<std::optional<SubdomainState>> SubdomainIndex::Lookup(std::string_view fqn) {
  BS_TRY(auto states, States(" FROM current c JOIN records r ON r.fqn = c.fqn AND r.slot = c.slot "
                             "JOIN slots s ON s.slot = c.slot WHERE c.fqn = ?",
                             fqn));
  if (states.empty()) return std::optional<SubdomainState>();
  return std::optional<SubdomainState>(std::move(states.front()));
}

util::Result<std::vector<SubdomainOperation>> SubdomainIndex::OperationsOfTransaction(std::string_view txid) {
  std::vector<SubdomainOperation> out;
  std::map<std::string, std::string> parents;  // carrying zone-file hash -> its domain
  {
    std::lock_guard lock(m_read_mutex);
    BS_TRY(Statement * s, m_reader.Prepare(std::string("SELECT r.fqn, r.accepted, r.sig, s.hash, s.name, ") +
                                           STATE_COLUMNS +
                                           " FROM slots s JOIN records r ON r.slot = s.slot WHERE s.txid = ? "
                                           "ORDER BY s.slot, r.rowid"));
    s->Bind(1, txid);
    BS_CHECK_OK(db::ForEachRow(s, [&](Statement& r) {
      SubdomainOperation op;
      op.accepted = r.Int(1) != 0;
      op.signature = r.OptText(2);
      op.parent_zonefile_hash = r.Text(3);
      op.state = StateFrom(r, r.Text(0), 5);
      op.offset = out.empty() || out.back().state.slot != op.state.slot ? 0 : out.back().offset + 1;
      parents.emplace(op.parent_zonefile_hash, r.Text(4));
      out.push_back(std::move(op));
    }));
  }
  // The carrying zone file's "_missing" list, as the original reported it.
  std::map<std::string, std::string> missing;
  for (const auto& [hash, domain] : parents) {
    BS_TRY(auto text, m_zonefiles(hash));
    std::string list;
    if (text) {
      if (auto parsed = ParseZonefileSubdomains(domain, *text)) {
        for (auto m : parsed->missing) list += (list.empty() ? "" : ",") + std::to_string(m);
      }
    }
    missing[hash] = list;
  }
  for (auto& op : out) op.missing = missing[op.parent_zonefile_hash];
  return out;
}

util::Result<std::vector<SubdomainState>> SubdomainIndex::History(std::string_view fqn) {
  return States(
      " FROM records r JOIN slots s ON s.slot = r.slot WHERE r.fqn = ? AND r.accepted = 1 "
      "ORDER BY r.seqn, r.slot",
      fqn);
}

namespace {

// The first column of every row a bound statement gives, as text.
util::Result<std::vector<std::string>> FirstColumn(Statement* s) {
  std::vector<std::string> out;
  while (true) {
    BS_TRY(bool row, s->Step());
    if (!row) break;
    out.push_back(s->Text(0));
  }
  s->Reset();
  return out;
}

}  // namespace

namespace {

// "owner IN (?, ?, ...)" for n owners, binding them from parameter `first` on.
std::string OwnerIn(std::size_t n) {
  std::string out = "owner IN (";
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out + ")";
}

}  // namespace

util::Result<std::optional<std::string>> SubdomainIndex::Creator(std::string_view fqn) {
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare("SELECT owner FROM records WHERE fqn = ? AND seqn = 0 AND accepted = 1 "
                                         "ORDER BY slot LIMIT 1"));
  s->Bind(1, fqn);
  BS_TRY(auto owners, FirstColumn(s));
  if (owners.empty()) return std::optional<std::string>();
  return std::optional<std::string>(owners.front());
}

util::Result<std::optional<uint64_t>> SubdomainIndex::CreationIndex(std::string_view fqn,
                                                                    const std::vector<std::string>& owners) {
  if (owners.empty()) return std::optional<uint64_t>();
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * origin, m_reader.Prepare("SELECT slot, rowid FROM records WHERE fqn = ? AND seqn = 0 AND "
                                              "accepted = 1 ORDER BY slot LIMIT 1"));
  origin->Bind(1, fqn);
  std::optional<std::pair<int64_t, int64_t>> at;
  BS_CHECK_OK(db::ForEachRow(origin, [&](Statement& r) { at.emplace(r.Int(0), r.Int(1)); }));
  if (!at) return std::optional<uint64_t>();
  BS_TRY(Statement * before, m_reader.Prepare("SELECT COUNT(*) FROM records WHERE seqn = 0 AND accepted = 1 AND " +
                                              OwnerIn(owners.size()) + " AND (slot < ? OR (slot = ? AND rowid < ?))"));
  int param = 1;
  for (const auto& o : owners) before->Bind(param++, o);
  before->Bind(param, at->first).Bind(param + 1, at->first).Bind(param + 2, at->second);
  uint64_t count = 0;
  BS_CHECK_OK(db::ForEachRow(before, [&](Statement& r) { count = static_cast<uint64_t>(r.Int(0)); }));
  return std::optional<uint64_t>(count);
}

util::Result<std::optional<std::string>> SubdomainIndex::CreatedBy(const std::vector<std::string>& owners,
                                                                   uint64_t index) {
  if (owners.empty() || index > INT64_MAX) return std::optional<std::string>();
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare("SELECT fqn FROM records WHERE seqn = 0 AND accepted = 1 AND " +
                                         OwnerIn(owners.size()) + " ORDER BY slot, rowid LIMIT 1 OFFSET ?"));
  int param = 1;
  for (const auto& o : owners) s->Bind(param++, o);
  s->Bind(param, static_cast<int64_t>(index));
  BS_TRY(auto names, FirstColumn(s));
  if (names.empty()) return std::optional<std::string>();
  return std::optional<std::string>(names.front());
}

util::Result<std::vector<std::string>> SubdomainIndex::NamesOwnedBy(std::string_view address) {
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare("SELECT fqn FROM current WHERE owner = ? ORDER BY fqn"));
  s->Bind(1, address);
  return FirstColumn(s);
}

util::Result<std::vector<std::string>> SubdomainIndex::Names(uint64_t offset, uint64_t count) {
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare("SELECT fqn FROM current ORDER BY fqn LIMIT ? OFFSET ?"));
  const auto clamp = [](uint64_t v) { return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)); };
  s->Bind(1, clamp(count));
  s->Bind(2, clamp(offset));
  return FirstColumn(s);
}

util::Result<std::vector<std::string>> SubdomainIndex::NamesWithPrefix(std::string_view prefix, uint64_t count) {
  std::lock_guard lock(m_read_mutex);
  // Names from the prefix on, in order, end where the prefix stops matching: a
  // range scan of the primary key, however many names there are.
  BS_TRY(Statement * s, m_reader.Prepare("SELECT fqn FROM current WHERE fqn >= ? ORDER BY fqn LIMIT ?"));
  s->Bind(1, prefix);
  s->Bind(2, static_cast<int64_t>(std::min<uint64_t>(count, INT64_MAX)));
  BS_TRY(auto names, FirstColumn(s));
  std::erase_if(names, [&](const std::string& n) { return !n.starts_with(prefix); });
  return names;
}

util::Result<std::vector<std::string>> SubdomainIndex::SubdomainsOf(std::string_view domain, uint64_t offset,
                                                                    uint64_t count) {
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare("SELECT DISTINCT r.fqn FROM records r JOIN current c ON c.fqn = r.fqn "
                                         "WHERE r.domain = ? AND r.accepted = 1 ORDER BY r.fqn LIMIT ? OFFSET ?"));
  const auto clamp = [](uint64_t v) { return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)); };
  s->Bind(1, domain);
  s->Bind(2, clamp(count));
  s->Bind(3, clamp(offset));
  return FirstColumn(s);
}

util::Result<uint64_t> SubdomainIndex::Count() {
  std::lock_guard lock(m_read_mutex);
  BS_TRY(Statement * s, m_reader.Prepare("SELECT COUNT(*) FROM current"));
  BS_TRY(bool row, s->Step());
  const uint64_t n = row ? static_cast<uint64_t>(s->Int(0)) : 0;
  s->Reset();
  return n;
}

void SubdomainIndex::Start() {
  if (m_thread.joinable()) return;
  m_stop = false;
  m_thread = std::thread([this] {
    while (!m_stop) {
      if (auto st = Update(); !st) spdlog::warn("subdomains: {}", st.error().message);
      std::unique_lock lock(m_wake_mutex);
      m_wake.wait_for(lock, IDLE_INTERVAL, [this] { return m_woken || m_stop; });
      m_woken = false;
    }
  });
}

void SubdomainIndex::Stop() {
  {
    std::lock_guard lock(m_wake_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void SubdomainIndex::OnStored(std::string_view hash) {
  {
    std::lock_guard lock(m_stored_mutex);
    m_stored.emplace(hash);
  }
  Wake();
}

void SubdomainIndex::Wake() {
  {
    std::lock_guard lock(m_wake_mutex);
    m_woken = true;
  }
  m_wake.notify_all();
}

}  // namespace blockstack::subdomain

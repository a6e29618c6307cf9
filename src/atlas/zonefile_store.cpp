#include <atlas/zonefile_store.h>

#include <crypto/hash.h>

namespace blockstack::atlas {

std::string ZonefileHash(std::string_view zonefile) { return crypto::Hash160Of(util::AsBytes(zonefile)).Hex(); }

util::Result<std::unique_ptr<ZonefileStore>> ZonefileStore::Open(const std::string& path, bool bulk) {
  BS_TRY(auto db, db::Sqlite::Open(path, false, bulk ? 32768 : 0));
  if (bulk) {
    BS_CHECK_OK(db.Exec("PRAGMA journal_mode=MEMORY"));
    BS_CHECK_OK(db.Exec("PRAGMA synchronous=OFF"));
  }
  BS_CHECK_OK(db.Exec("CREATE TABLE IF NOT EXISTS zonefiles(hash TEXT PRIMARY KEY, data BLOB NOT NULL)"));
  return std::unique_ptr<ZonefileStore>(new ZonefileStore(path, std::move(db)));
}

util::Result<bool> ZonefileStore::Put(std::string_view zonefile) {
  BS_TRY(auto saved, PutMany({std::string(zonefile)}));
  return saved[0];
}

util::Result<std::vector<bool>> ZonefileStore::PutMany(const std::vector<std::string>& zonefiles,
                                                       const std::vector<std::string>* hashes) {
  if (hashes && hashes->size() != zonefiles.size()) {
    return util::Fail(util::ErrorCode::InvalidArgument, "one hash per zone file");
  }
  for (const auto& z : zonefiles) {
    if (z.size() > MAX_ZONEFILE_BYTES) {
      return util::Fail(util::ErrorCode::TooLarge, "zone file is over " + std::to_string(MAX_ZONEFILE_BYTES) + " bytes");
    }
  }
  std::vector<bool> saved;
  std::lock_guard lock(m_mutex);
  BS_CHECK_OK(m_db.Exec("BEGIN IMMEDIATE"));
  for (std::size_t i = 0; i < zonefiles.size(); ++i) {
    const std::string& z = zonefiles[i];
    auto st = m_db.Prepare("INSERT OR IGNORE INTO zonefiles(hash, data) VALUES(?, ?)");
    util::Status ran = st ? (*st)->Bind(1, hashes ? (*hashes)[i] : ZonefileHash(z)).BindBlob(2, util::AsBytes(z)).Run()
                          : util::Status(util::Unexpected(st.error()));
    if (!ran) {
      (void)m_db.Exec("ROLLBACK");
      return util::Unexpected(ran.error());
    }
    saved.push_back(m_db.Changes() > 0);
  }
  BS_CHECK_OK(m_db.Exec("COMMIT"));
  ++m_generation;
  EndIdleReads();
  return saved;
}

void ZonefileStore::EndIdleReads() {
  std::lock_guard lock(m_readers_mutex);
  for (auto& r : m_readers) {
    if (r.reading) (void)r.db.Exec("COMMIT");
    r.reading = false;
  }
}

util::Result<bool> ZonefileStore::Has(std::string_view hash_hex) {
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* st, m_db.Prepare("SELECT 1 FROM zonefiles WHERE hash = ?"));
  st->Bind(1, hash_hex);
  BS_TRY(bool row, st->Step());
  st->Reset();
  return row;
}

util::Result<std::vector<std::string>> ZonefileStore::Hashes() {
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* st, m_db.Prepare("SELECT hash FROM zonefiles"));
  std::vector<std::string> out;
  while (true) {
    BS_TRY(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Text(0));
  }
  st->Reset();
  return out;
}

util::Result<std::optional<std::string>> ZonefileStore::Get(std::string_view hash_hex) {
  std::optional<Reader> reader;
  {
    std::lock_guard lock(m_readers_mutex);
    if (!m_readers.empty()) {
      reader.emplace(std::move(m_readers.back()));
      m_readers.pop_back();
    }
  }
  if (!reader) {
    BS_TRY(auto opened, db::Sqlite::Open(m_path, /*read_only=*/true));
    reader.emplace(Reader{std::move(opened), 0, false, {}});
  }
  const uint64_t generation = m_generation.load();
  const auto now = std::chrono::steady_clock::now();
  if (reader->reading && (reader->generation != generation || now - reader->since > std::chrono::seconds(1))) {
    (void)reader->db.Exec("COMMIT");
    reader->reading = false;
  }
  if (!reader->reading) {
    reader->reading = reader->db.Exec("BEGIN").has_value();
    reader->generation = generation;
    reader->since = now;
  }
  std::optional<std::string> out;
  {
    BS_TRY(auto* st, reader->db.Prepare("SELECT data FROM zonefiles WHERE hash = ?"));
    st->Bind(1, hash_hex);
    BS_TRY(bool row, st->Step());
    if (row) {
      auto blob = st->Blob(0);
      out = std::string(blob.begin(), blob.end());
    }
    st->Reset();
  }
  {
    std::lock_guard lock(m_readers_mutex);
    if (m_readers.size() < 16) m_readers.push_back(std::move(*reader));
  }
  if (out && ZonefileHash(*out) != hash_hex) {
    {
      std::lock_guard lock(m_mutex);
      BS_TRY(auto* del, m_db.Prepare("DELETE FROM zonefiles WHERE hash = ?"));
      (void)del->Bind(1, hash_hex).Run();
    }
    ++m_generation;
    EndIdleReads();
    return std::optional<std::string>();
  }
  return out;
}

util::Result<uint64_t> ZonefileStore::Count() {
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* st, m_db.Prepare("SELECT COUNT(*) FROM zonefiles"));
  BS_TRY(bool row, st->Step());
  return row ? static_cast<uint64_t>(st->Int(0)) : 0;
}

}  // namespace blockstack::atlas

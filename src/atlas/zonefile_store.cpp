#include <atlas/zonefile_store.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include <crypto/hash.h>

namespace blockstack::atlas {

namespace {

using util::ErrorCode;
using util::Fail;

constexpr int INDEX_PAGE_BYTES = 1024;

// The index key of a hash given as text: its 20 bytes, or nothing when the text
// is not 40 lowercase hex digits (no stored file has such a key).
std::optional<std::string> KeyOf(std::string_view hash_hex) {
  if (hash_hex.size() != 40) return std::nullopt;
  for (char c : hash_hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  auto bytes = util::FromHex(hash_hex);
  if (!bytes) return std::nullopt;
  return std::string(util::AsChars(*bytes));
}

std::string KeyOfFile(std::string_view zonefile) {
  auto h = crypto::Hash160Of(util::AsBytes(zonefile));
  return std::string(util::AsChars(h.view()));
}

util::Error IoFailure(const std::string& what) {
  return util::Error{ErrorCode::IoError, what + ": " + std::strerror(errno)};
}

// Writes every piece at offset, in as few system calls as the iovec limit allows.
util::Status WriteAt(int fd, uint64_t offset, const std::vector<const std::string*>& pieces, const std::string& path) {
  std::size_t at = 0, skip = 0;  // the piece being written, and how much of it is done
  while (at < pieces.size()) {
    std::vector<iovec> iov;
    for (std::size_t i = at; i < pieces.size() && iov.size() < IOV_MAX; ++i) {
      const std::size_t from = i == at ? skip : 0;
      if (pieces[i]->size() == from) continue;
      iov.push_back({const_cast<char*>(pieces[i]->data() + from), pieces[i]->size() - from});
    }
    if (iov.empty()) break;
    ssize_t n = ::pwritev(fd, iov.data(), static_cast<int>(iov.size()), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::Unexpected(IoFailure("cannot write to " + path));
    }
    offset += static_cast<uint64_t>(n);
    auto left = static_cast<std::size_t>(n);
    while (at < pieces.size() && left >= pieces[at]->size() - skip) {
      left -= pieces[at]->size() - skip;
      skip = 0;
      ++at;
    }
    skip += left;
  }
  return util::Ok();
}

}  // namespace

std::string ZonefileStore::PackPath(const std::string& path) { return path + ".pack"; }

util::Result<std::unique_ptr<ZonefileStore>> ZonefileStore::Open(const std::string& path, bool bulk) {
  // Small pages: index rows are about 40 bytes and go in at random places, so
  // each one dirties a page that the commit writes to the log and the checkpoint
  // writes again; with 4 KiB pages that was as many bytes as the zone files.
  BS_TRY(auto db, db::Sqlite::Open(path, false, INDEX_PAGE_BYTES));
  if (bulk) {
    BS_CHECK_OK(db.Exec("PRAGMA journal_mode=MEMORY"));
    BS_CHECK_OK(db.Exec("PRAGMA synchronous=OFF"));
  }
  BS_CHECK_OK(
      db.Exec("CREATE TABLE IF NOT EXISTS zonefile_index("
              "hash BLOB PRIMARY KEY, offset INTEGER NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID"));
  const std::string pack = PackPath(path);
  int fd = ::open(pack.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return util::Unexpected(IoFailure("cannot open " + pack));
  std::unique_ptr<ZonefileStore> store(new ZonefileStore(path, std::move(db), fd));
  BS_CHECK_OK(store->DropPastEnd());
  BS_CHECK_OK(store->MoveTableIntoPack());
  return store;
}

ZonefileStore::~ZonefileStore() {
  if (m_pack_fd >= 0) ::close(m_pack_fd);
}

util::Status ZonefileStore::DropPastEnd() {
  std::lock_guard lock(m_mutex);
  BS_TRY(const uint64_t size, PackSize());
  BS_TRY(auto* past, m_db.Prepare("SELECT COUNT(*) FROM zonefile_index WHERE offset + length > ?"));
  past->Bind(1, static_cast<int64_t>(size));
  BS_TRY(bool row, past->Step());
  const int64_t lost = row ? past->Int(0) : 0;
  past->Reset();
  if (lost == 0) return util::Ok();
  spdlog::warn(
      "zone-file store: {} zone file(s) lie past the end of {} (cut short by a crash): they will be fetched "
      "again",
      lost, PackPath(m_path));
  BS_TRY(auto* del, m_db.Prepare("DELETE FROM zonefile_index WHERE offset + length > ?"));
  return del->Bind(1, static_cast<int64_t>(size)).Run();
}

util::Status ZonefileStore::MoveTableIntoPack() {
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* exists, m_db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'zonefiles'"));
  BS_TRY(bool legacy, exists->Step());
  exists->Reset();
  if (!legacy) return util::Ok();
  std::size_t moved = 0, dropped = 0;
  std::string after;
  for (;;) {
    std::vector<std::string> files, keys;
    std::size_t rows = 0;
    {
      BS_TRY(auto* page, m_db.Prepare("SELECT hash, data FROM zonefiles WHERE hash > ? ORDER BY hash LIMIT 1000"));
      page->Bind(1, after);
      for (;; ++rows) {
        BS_TRY(bool row, page->Step());
        if (!row) break;
        after = page->Text(0);
        auto blob = page->Blob(1);
        std::string bytes(blob.begin(), blob.end());
        std::string key = KeyOfFile(bytes);
        if (KeyOf(after) != key) {
          ++dropped;  // the bytes no longer match their key
          continue;
        }
        files.push_back(std::move(bytes));
        keys.push_back(std::move(key));
      }
      page->Reset();
    }
    if (rows == 0) break;
    std::vector<const std::string*> pieces;
    for (const auto& f : files) pieces.push_back(&f);
    BS_CHECK_OK(InWriteTransaction([&] { return AppendLocked(pieces, keys); }));
    moved += files.size();
  }
  BS_CHECK_OK(m_db.Exec("DROP TABLE zonefiles"));
  BS_CHECK_OK(m_db.Exec("VACUUM"));
  spdlog::info("zone-file store: moved {} zone file(s) into {}{}", moved, PackPath(m_path),
               dropped ? " (" + std::to_string(dropped) + " whose bytes did not match their hash were dropped)" : "");
  return util::Ok();
}

util::Status ZonefileStore::InWriteTransaction(const std::function<util::Status()>& fn) {
  // The index's write lock is taken first: another store open on the same files
  // (another process) appends only while it holds it, so the pack's end is ours.
  BS_CHECK_OK(m_db.Exec("BEGIN IMMEDIATE"));
  util::Status st = fn();
  if (st) st = m_db.Exec("COMMIT");
  if (!st) (void)m_db.Exec("ROLLBACK");  // bytes written stay unreferenced and are written over
  return st;
}

util::Status ZonefileStore::AppendLocked(const std::vector<const std::string*>& files,
                                         const std::vector<std::string>& keys) {
  if (files.empty()) return util::Ok();
  BS_TRY(const uint64_t end, PackSize());
  BS_CHECK_OK(WriteAt(m_pack_fd, end, files, PackPath(m_path)));
  uint64_t offset = end;
  BS_TRY(auto* insert, m_db.Prepare("INSERT OR IGNORE INTO zonefile_index(hash, offset, length) VALUES(?, ?, ?)"));
  for (std::size_t i = 0; i < files.size(); ++i) {
    BS_CHECK_OK(insert->BindBlob(1, util::AsBytes(keys[i]))
                    .Bind(2, static_cast<int64_t>(offset))
                    .Bind(3, static_cast<int64_t>(files[i]->size()))
                    .Run());
    offset += files[i]->size();
  }
  return util::Ok();
}

util::Result<uint64_t> ZonefileStore::PackSize() const {
  struct stat st {};
  if (::fstat(m_pack_fd, &st) != 0) return util::Unexpected(IoFailure("cannot read the size of " + PackPath(m_path)));
  return static_cast<uint64_t>(st.st_size);
}

util::Result<bool> ZonefileStore::Put(std::string_view zonefile) {
  BS_TRY(auto saved, PutMany({std::string(zonefile)}));
  return saved[0];
}

util::Result<std::vector<bool>> ZonefileStore::PutMany(const std::vector<std::string>& zonefiles,
                                                       const std::vector<std::string>* hashes) {
  if (hashes && hashes->size() != zonefiles.size()) {
    return Fail(ErrorCode::InvalidArgument, "one hash per zone file");
  }
  std::vector<std::string> keys;
  keys.reserve(zonefiles.size());
  for (std::size_t i = 0; i < zonefiles.size(); ++i) {
    const auto& z = zonefiles[i];
    if (z.size() > MAX_ZONEFILE_BYTES) {
      return Fail(ErrorCode::TooLarge, "zone file is over " + std::to_string(MAX_ZONEFILE_BYTES) + " bytes");
    }
    if (hashes) {
      auto key = KeyOf((*hashes)[i]);
      if (!key) return Fail(ErrorCode::InvalidArgument, "'" + (*hashes)[i] + "' is not a zone-file hash");
      keys.push_back(std::move(*key));
    } else {
      keys.push_back(KeyOfFile(z));
    }
  }
  std::vector<bool> saved(zonefiles.size(), false);
  std::lock_guard lock(m_mutex);
  BS_CHECK_OK(InWriteTransaction([&]() -> util::Status {
    std::vector<const std::string*> files;
    std::vector<std::string> new_keys;
    std::unordered_set<std::string_view> batch;
    BS_TRY(auto* has, m_db.Prepare("SELECT 1 FROM zonefile_index WHERE hash = ?"));
    for (std::size_t i = 0; i < zonefiles.size(); ++i) {
      if (batch.count(keys[i])) continue;
      has->BindBlob(1, util::AsBytes(keys[i]));
      BS_TRY(bool present, has->Step());
      has->Reset();
      if (present) continue;
      batch.insert(keys[i]);
      saved[i] = true;
      files.push_back(&zonefiles[i]);
      new_keys.push_back(keys[i]);
    }
    BS_CHECK_OK(AppendLocked(files, new_keys));
    return util::Ok();
  }));
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
  auto key = KeyOf(hash_hex);
  if (!key) return false;
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* st, m_db.Prepare("SELECT 1 FROM zonefile_index WHERE hash = ?"));
  st->BindBlob(1, util::AsBytes(*key));
  BS_TRY(bool row, st->Step());
  st->Reset();
  return row;
}

util::Result<std::vector<std::string>> ZonefileStore::Hashes() {
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* st, m_db.Prepare("SELECT hash FROM zonefile_index"));
  std::vector<std::string> out;
  while (true) {
    BS_TRY(bool row, st->Step());
    if (!row) break;
    out.push_back(util::ToHex(st->Blob(0)));
  }
  st->Reset();
  return out;
}

util::Result<std::optional<std::string>> ZonefileStore::Get(std::string_view hash_hex) {
  auto key = KeyOf(hash_hex);
  if (!key) return std::optional<std::string>();
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
  std::optional<std::pair<uint64_t, std::size_t>> where;
  {
    BS_TRY(auto* st, reader->db.Prepare("SELECT offset, length FROM zonefile_index WHERE hash = ?"));
    st->BindBlob(1, util::AsBytes(*key));
    BS_TRY(bool row, st->Step());
    if (row) where.emplace(static_cast<uint64_t>(st->Int(0)), static_cast<std::size_t>(st->Int(1)));
    st->Reset();
  }
  {
    std::lock_guard lock(m_readers_mutex);
    if (m_readers.size() < 16) m_readers.push_back(std::move(*reader));
  }
  if (!where) return std::optional<std::string>();
  std::string out;
  if (where->second <= MAX_ZONEFILE_BYTES) {  // else damaged: dropped below
    out.resize_and_overwrite(where->second, [&](char* buf, std::size_t size) {
      std::size_t got = 0;
      while (got < size) {
        ssize_t n = ::pread(m_pack_fd, buf + got, size - got, static_cast<off_t>(where->first + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // an error, or the pack is shorter than the index says
        got += static_cast<std::size_t>(n);
      }
      return got;
    });
  }
  if (KeyOfFile(out) != *key) {
    spdlog::warn("zone-file store: the stored copy of {} is damaged: dropped", hash_hex);
    {
      std::lock_guard lock(m_mutex);
      BS_TRY(auto* del, m_db.Prepare("DELETE FROM zonefile_index WHERE hash = ?"));
      (void)del->BindBlob(1, util::AsBytes(*key)).Run();
    }
    ++m_generation;
    EndIdleReads();
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::move(out));
}

util::Result<uint64_t> ZonefileStore::Count() {
  std::lock_guard lock(m_mutex);
  BS_TRY(auto* st, m_db.Prepare("SELECT COUNT(*) FROM zonefile_index"));
  BS_TRY(bool row, st->Step());
  const uint64_t n = row ? static_cast<uint64_t>(st->Int(0)) : 0;
  st->Reset();
  return n;
}

}  // namespace blockstack::atlas

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

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <crypto/hash.h>

namespace blockstack::atlas {

namespace {

using util::ErrorCode;
using util::Fail;

using Key = util::Hash160;

// The key of a hash given as text, or nothing when the text is not 40 lowercase
// hex digits (no stored file has such a key).
std::optional<Key> KeyOf(std::string_view hash_hex) {
  if (!util::IsLowerHex(hash_hex, 40)) return std::nullopt;
  return Key::FromHex(hash_hex).value();  // 40 hex digits: cannot fail
}

Key KeyOfFile(std::string_view zonefile) { return crypto::Hash160Of(util::AsBytes(zonefile)); }

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
  BS_TRY(auto db, db::Sqlite::Open(path, false));
  if (bulk) {
    BS_CHECK_OK(db.Exec("PRAGMA journal_mode=MEMORY"));
    BS_CHECK_OK(db.Exec("PRAGMA synchronous=OFF"));
  }
  BS_CHECK_OK(
      db.Exec("CREATE TABLE IF NOT EXISTS zonefile_places("
              "row INTEGER PRIMARY KEY, hash BLOB NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL)"));
  const std::string pack = PackPath(path);
  int fd = ::open(pack.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return util::Unexpected(IoFailure("cannot open " + pack));
  std::unique_ptr<ZonefileStore> store(new ZonefileStore(path, std::move(db), fd));
  {
    std::lock_guard lock(store->m_mutex);
    BS_CHECK_OK(store->CatchUpLocked(/*opening=*/true));
  }
  BS_CHECK_OK(store->MoveTableIntoPack());
  return store;
}

ZonefileStore::~ZonefileStore() {
  if (m_pack_fd >= 0) ::close(m_pack_fd);
}

util::Status ZonefileStore::CatchUpLocked(bool opening) {
  uint64_t size = 0;
  if (opening) {
    BS_TRY(size, PackSize());
  }
  std::vector<std::pair<Key, Place>> rows;
  std::size_t lost = 0;
  {
    BS_TRY(auto* st, m_db.Prepare("SELECT row, hash, offset, length FROM zonefile_places WHERE row > ? ORDER BY row"));
    st->Bind(1, m_last_row);
    for (;;) {
      auto row = st->Step();
      if (!row) {
        st->Reset();
        return util::Unexpected(row.error());
      }
      if (!*row) break;
      Place place{st->Int(0), static_cast<uint64_t>(st->Int(2)), static_cast<uint32_t>(st->Int(3))};
      m_last_row = place.row;
      auto hash = st->Blob(1);
      if (hash.size() != 20 || st->Int(2) < 0 || st->Int(3) < 0 || st->Int(3) > int64_t{UINT32_MAX}) continue;
      if (opening && place.offset + place.length > size) {
        ++lost;
        continue;
      }
      rows.emplace_back(Key::FromView(hash).value(), place);  // 20 bytes: checked above
    }
    st->Reset();
  }
  Remember(rows);
  if (lost == 0) return util::Ok();
  spdlog::warn(
      "zone-file store: {} zone file(s) lie past the end of {} (cut short by a crash): they will be fetched "
      "again",
      lost, PackPath(m_path));
  BS_TRY(auto* del, m_db.Prepare("DELETE FROM zonefile_places WHERE offset + length > ?"));
  return del->Bind(1, static_cast<int64_t>(size)).Run();
}

void ZonefileStore::Remember(const std::vector<std::pair<Key, Place>>& written) {
  std::unique_lock lock(m_map_mutex);
  for (const auto& [key, place] : written) m_map[key] = place;  // a later row wins
}

util::Result<std::optional<ZonefileStore::Place>> ZonefileStore::Find(const Key& key) {
  {
    std::shared_lock lock(m_map_mutex);
    if (auto it = m_map.find(key); it != m_map.end()) return std::optional<Place>(it->second);
  }
  {
    std::lock_guard lock(m_mutex);  // another process may have written it
    BS_CHECK_OK(CatchUpLocked());
  }
  std::shared_lock lock(m_map_mutex);
  auto it = m_map.find(key);
  return it == m_map.end() ? std::optional<Place>() : std::optional<Place>(it->second);
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
    std::vector<std::string> files;
    std::vector<Key> keys;
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
        Key key = KeyOfFile(bytes);
        if (KeyOf(after) != key) {
          ++dropped;  // the bytes no longer match their key
          continue;
        }
        {
          std::shared_lock map_lock(m_map_mutex);
          if (m_map.count(key)) continue;  // moved by an earlier, interrupted opening
        }
        files.push_back(std::move(bytes));
        keys.push_back(key);
      }
      page->Reset();
    }
    if (rows == 0) break;
    std::vector<const std::string*> pieces;
    for (const auto& f : files) pieces.push_back(&f);
    std::vector<std::pair<Key, Place>> written;
    BS_CHECK_OK(InWriteTransaction([&]() -> util::Status {
      BS_TRY(written, AppendLocked(pieces, keys));
      return util::Ok();
    }));
    Remember(written);
    if (!written.empty()) m_last_row = written.back().second.row;
    moved += files.size();
  }
  BS_CHECK_OK(m_db.Exec("DROP TABLE zonefiles"));
  BS_CHECK_OK(m_db.Exec("VACUUM"));
  spdlog::info("zone-file store: moved {} zone file(s) into {}{}", moved, PackPath(m_path),
               dropped ? " (" + std::to_string(dropped) + " whose bytes did not match their hash were dropped)" : "");
  return util::Ok();
}

util::Status ZonefileStore::InWriteTransaction(const std::function<util::Status()>& fn) {
  // The table's write lock is taken first: another store open on the same files
  // (another process) appends only while it holds it, so the pack's end is ours.
  BS_CHECK_OK(m_db.Exec("BEGIN IMMEDIATE"));
  util::Status st = fn();
  if (st) st = m_db.Exec("COMMIT");
  if (!st) (void)m_db.Exec("ROLLBACK");  // bytes written stay unreferenced and are written over
  return st;
}

util::Result<std::vector<std::pair<ZonefileStore::Key, ZonefileStore::Place>>> ZonefileStore::AppendLocked(
    const std::vector<const std::string*>& files, const std::vector<Key>& keys) {
  std::vector<std::pair<Key, Place>> written;
  if (files.empty()) return written;
  BS_TRY(const uint64_t end, PackSize());
  BS_CHECK_OK(WriteAt(m_pack_fd, end, files, PackPath(m_path)));
  uint64_t offset = end;
  BS_TRY(auto* insert, m_db.Prepare("INSERT INTO zonefile_places(hash, offset, length) VALUES(?, ?, ?)"));
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto length = static_cast<uint32_t>(files[i]->size());
    BS_CHECK_OK(insert->BindBlob(1, keys[i].view())
                    .Bind(2, static_cast<int64_t>(offset))
                    .Bind(3, static_cast<int64_t>(length))
                    .Run());
    written.emplace_back(keys[i], Place{sqlite3_last_insert_rowid(m_db.Handle()), offset, length});
    offset += length;
  }
  return written;
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
  std::vector<Key> keys;
  keys.reserve(zonefiles.size());
  for (std::size_t i = 0; i < zonefiles.size(); ++i) {
    const auto& z = zonefiles[i];
    if (z.size() > MAX_ZONEFILE_BYTES) {
      return Fail(ErrorCode::TooLarge, "zone file is over " + std::to_string(MAX_ZONEFILE_BYTES) + " bytes");
    }
    if (hashes) {
      auto key = KeyOf((*hashes)[i]);
      if (!key) return Fail(ErrorCode::InvalidArgument, "'" + (*hashes)[i] + "' is not a zone-file hash");
      keys.push_back(*key);
    } else {
      keys.push_back(KeyOfFile(z));
    }
  }
  std::vector<bool> saved(zonefiles.size(), false);
  std::vector<std::pair<Key, Place>> written;
  std::lock_guard lock(m_mutex);
  BS_CHECK_OK(InWriteTransaction([&]() -> util::Status {
    BS_CHECK_OK(CatchUpLocked());  // what another process wrote, now that it cannot write more
    std::vector<const std::string*> files;
    std::vector<Key> new_keys;
    {
      std::shared_lock map_lock(m_map_mutex);
      for (std::size_t i = 0; i < zonefiles.size(); ++i) {
        if (m_map.count(keys[i]) || std::find(new_keys.begin(), new_keys.end(), keys[i]) != new_keys.end()) continue;
        saved[i] = true;
        files.push_back(&zonefiles[i]);
        new_keys.push_back(keys[i]);
      }
    }
    BS_TRY(written, AppendLocked(files, new_keys));
    return util::Ok();
  }));
  Remember(written);
  if (!written.empty()) m_last_row = written.back().second.row;
  return saved;
}

util::Result<bool> ZonefileStore::Has(std::string_view hash_hex) {
  auto key = KeyOf(hash_hex);
  if (!key) return false;
  BS_TRY(auto place, Find(*key));
  return place.has_value();
}

util::Result<std::vector<std::string>> ZonefileStore::Hashes() {
  {
    std::lock_guard lock(m_mutex);
    BS_CHECK_OK(CatchUpLocked());
  }
  std::vector<std::string> out;
  std::shared_lock lock(m_map_mutex);
  out.reserve(m_map.size());
  for (const auto& [key, place] : m_map) out.push_back(key.Hex());
  return out;
}

util::Result<std::optional<std::string>> ZonefileStore::Get(std::string_view hash_hex) {
  auto key = KeyOf(hash_hex);
  if (!key) return std::optional<std::string>();
  BS_TRY(auto place, Find(*key));
  if (!place) return std::optional<std::string>();
  std::string out;
  if (place->length <= MAX_ZONEFILE_BYTES) {  // else damaged: dropped below
    out.resize_and_overwrite(place->length, [&](char* buf, std::size_t size) {
      std::size_t got = 0;
      while (got < size) {
        ssize_t n = ::pread(m_pack_fd, buf + got, size - got, static_cast<off_t>(place->offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // an error, or the pack is shorter than the table says
        got += static_cast<std::size_t>(n);
      }
      return got;
    });
  }
  if (out.size() == place->length && KeyOfFile(out) == *key) return std::optional<std::string>(std::move(out));
  spdlog::warn("zone-file store: the stored copy of {} is damaged: dropped", hash_hex);
  {
    std::lock_guard lock(m_mutex);
    BS_TRY(auto* del, m_db.Prepare("DELETE FROM zonefile_places WHERE row = ?"));
    (void)del->Bind(1, place->row).Run();
  }
  std::unique_lock lock(m_map_mutex);
  if (auto it = m_map.find(*key); it != m_map.end() && it->second.row == place->row) m_map.erase(it);
  return std::optional<std::string>();
}

util::Result<uint64_t> ZonefileStore::Count() {
  {
    std::lock_guard lock(m_mutex);
    BS_CHECK_OK(CatchUpLocked());
  }
  std::shared_lock lock(m_map_mutex);
  return static_cast<uint64_t>(m_map.size());
}

}  // namespace blockstack::atlas

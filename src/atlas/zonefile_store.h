// The node's store of zone files, keyed by their hash160 (hex). Only zone files
// whose hash is (or was) some name's value hash are accepted by callers; the store
// itself checks that the bytes hash to the key. Thread-safe.
//
// Layout: the bytes are appended to a pack file (PackPath(path)); a SQLite table at
// path lists, in the order they were written, each file's hash, offset and length.
// The store holds that list in memory as a map from hash to place, loaded when it
// opens and caught up from the table when a lookup misses (another process may
// have written). Rows are only ever appended, so each batch's commit writes a few
// pages; lookups touch no database.
//
// A batch's bytes are written, under the table's write lock, before the rows that
// name them commit, so a row always points at bytes that were written; an
// interruption between the two leaves only unreferenced bytes at the pack's end.
// Reads check the bytes against the hash, so a region the disk lost (a machine
// crash before writeback) reads as absent and is dropped, and Atlas fetches it
// again. A store written before the pack existed (the bytes in a SQLite table) is
// moved into the pack when opened.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <atlas/frames.h>
#include <db/sqlite.h>
#include <util/bytes.h>
#include <util/result.h>
#include <zonefile/zonefile.h>

namespace blockstack::atlas {

class ZonefileStore {
 public:
  // Opens or creates the store (index in SQLite, WAL). Fails with IoError. With
  // bulk set (filling a new store that is discarded on failure) the index is
  // written without a log or syncing; the caller syncs both files when done, and
  // the next plain Open returns the index to WAL.
  static util::Result<std::unique_ptr<ZonefileStore>> Open(const std::string& path, bool bulk = false);
  // The pack file that holds the bytes of the store whose index is at path.
  static std::string PackPath(const std::string& path);
  ~ZonefileStore();
  ZonefileStore(const ZonefileStore&) = delete;
  ZonefileStore& operator=(const ZonefileStore&) = delete;

  // Stores the zone file under its hash. Returns false when it was already there.
  // Fails with TooLarge over MAX_ZONEFILE_BYTES.
  util::Result<bool> Put(std::string_view zonefile);
  // Stores several in one transaction; returns, for each, whether it was new.
  // hashes: each file's hash (ZonefileHash) when the caller has already computed
  // it, so the bytes are not hashed again; it must be the true hash.
  util::Result<std::vector<bool>> PutMany(const std::vector<std::string>& zonefiles,
                                          const std::vector<std::string>* hashes = nullptr);
  // The zone file stored under hash_hex. A stored copy whose bytes no longer hash
  // to its key (disk corruption) is deleted and reported as absent.
  util::Result<std::optional<std::string>> Get(std::string_view hash_hex);
  util::Result<bool> Has(std::string_view hash_hex);
  // Every stored hash, in no particular order.
  util::Result<std::vector<std::string>> Hashes();
  util::Result<uint64_t> Count();

 private:
  using Key = util::Hash160;  // a file's hash160
  struct Place {
    int64_t row = 0;
    uint64_t offset = 0;
    uint32_t length = 0;
  };

  ZonefileStore(std::string path, db::Sqlite db, int pack_fd)
      : m_path(std::move(path)), m_db(std::move(db)), m_pack_fd(pack_fd) {}
  util::Result<uint64_t> PackSize() const;
  // Reads the rows written since the last call into the map. At opening, rows
  // whose bytes lie past the pack's end (the pack was cut short) are deleted.
  // Caller holds m_mutex.
  util::Status CatchUpLocked(bool opening = false);
  // Where the file lies, catching up once from the table when it is not known.
  util::Result<std::optional<Place>> Find(const Key& key);
  // Moves zone files kept in the SQLite table of earlier versions into the pack.
  util::Status MoveTableIntoPack();
  // Runs fn inside a write transaction of the table: commits when it succeeds,
  // rolls back when it fails. Caller holds m_mutex.
  util::Status InWriteTransaction(const std::function<util::Status()>& fn);
  // Appends the files to the pack and lists them. Caller holds m_mutex, inside
  // InWriteTransaction, caught up. The map learns of them once the commit is done.
  util::Result<std::vector<std::pair<Key, Place>>> AppendLocked(const std::vector<const std::string*>& files,
                                                                const std::vector<Key>& keys);
  void Remember(const std::vector<std::pair<Key, Place>>& written);

  std::string m_path;
  std::mutex m_mutex;  // guards m_db and m_last_row: writes and catching up
  db::Sqlite m_db;
  int m_pack_fd;
  int64_t m_last_row = 0;  // the last row read into the map
  mutable std::shared_mutex m_map_mutex;
  std::unordered_map<Key, Place> m_map;
};

}  // namespace blockstack::atlas

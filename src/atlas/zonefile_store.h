// The node's store of zone files, keyed by their hash160 (hex). Only zone files
// whose hash is (or was) some name's value hash are accepted by callers; the store
// itself checks that the bytes hash to the key. Thread-safe.
//
// Layout: the bytes are appended to a pack file (PackPath(path)) and a SQLite
// index at path maps each hash to its offset and length. A batch's bytes are
// written, under the index's write lock, before the index transaction that names
// them commits, so an index row always points at bytes that were written; an interruption between the two
// leaves only unreferenced bytes at the pack's end. Reads check the bytes against
// the hash, so a region the disk lost (a machine crash before writeback) reads as
// absent and is dropped from the index, and Atlas fetches it again. A store
// written before the pack existed (the bytes in a SQLite table) is moved into the
// pack when opened.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <atlas/frames.h>
#include <db/sqlite.h>
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
  ZonefileStore(std::string path, db::Sqlite db, int pack_fd)
      : m_path(std::move(path)), m_db(std::move(db)), m_pack_fd(pack_fd) {}
  util::Result<uint64_t> PackSize() const;
  // Drops index rows whose bytes lie past the pack's end (the pack was cut short).
  util::Status DropPastEnd();
  // Moves zone files kept in the SQLite table of earlier versions into the pack.
  util::Status MoveTableIntoPack();
  // Runs fn inside a write transaction of the index: commits when it succeeds,
  // rolls back when it fails. Caller holds m_mutex.
  util::Status InWriteTransaction(const std::function<util::Status()>& fn);
  // Appends the files to the pack and indexes them. Caller holds m_mutex, inside
  // InWriteTransaction; keys are raw 20-byte hashes.
  util::Status AppendLocked(const std::vector<const std::string*>& files, const std::vector<std::string>& keys);
  std::string m_path;
  std::mutex m_mutex;  // guards m_db (writes and counts)
  db::Sqlite m_db;
  int m_pack_fd;
  // Read-only connections for Get, so readers on many threads do not queue. Each
  // keeps a read transaction open between calls (beginning and ending one per
  // lookup cost more than the lookup) until a write here, or a second, has passed.
  struct Reader {
    db::Sqlite db;
    uint64_t generation = 0;
    bool reading = false;
    std::chrono::steady_clock::time_point since;
  };
  void EndIdleReads();
  std::atomic<uint64_t> m_generation{0};  // writes committed
  std::mutex m_readers_mutex;
  std::vector<Reader> m_readers;
};

}  // namespace blockstack::atlas

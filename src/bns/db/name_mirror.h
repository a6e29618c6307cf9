// An in-memory form of every name, kept current with the name database that the
// indexer writes through its own connection. The owner says what a name's entry is
// (an Encoder); the mirror builds the whole table at start from one read
// transaction, then, after each change reported through Changed(), brings it up to
// date on its own thread:
//   - the names whose history the new blocks wrote are encoded again;
//   - so are the names the encoder asks for (the DNS front end: names whose zone
//     file has just arrived);
//   - when the block at the table's height has another consensus hash (a reorg)
//     every name is encoded again;
//   - once replaced entries take as much room as live ones, the table is compacted.
// Readers use the table only while Current(): it has seen every change reported so
// far. Otherwise (while it is built, and for the moment after a block before it
// has caught up) they read the database, so answers are never staler than that.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <bns/db/name_db.h>
#include <bns/db/name_table.h>
#include <bns/records.h>
#include <util/result.h>

namespace blockstack::bns::db {

using NamespaceMap = std::map<std::string, NamespaceRecord, std::less<>>;

struct NameMirrorStats {
  bool current = false;  // has seen every change reported
  std::size_t names = 0;
  std::size_t memory_bytes = 0;
  uint32_t height = 0;
};

class NameMirror {
 public:
  // Called on the mirror's thread only, with the mirror's connection inside its
  // read transaction.
  class Encoder {
   public:
    virtual ~Encoder() = default;
    // A full build begins: every name will be encoded.
    virtual void OnRebuild() {}
    // The entry for a name's current record (NameTable's form).
    virtual util::Result<std::string> Encode(const NameRecord& rec) = 0;
    // Names to encode again at this update besides those the blocks changed. The
    // encoder keeps what it answered from until StaleApplied: an update that fails
    // after asking asks again next time.
    virtual util::Result<std::vector<std::string>> Stale(NameDb&) { return std::vector<std::string>{}; }
    // The names the last Stale gave are in the table.
    virtual void StaleApplied() {}
  };

  // label names the mirror in the log ("dns", "api"). db: a read-only connection
  // the mirror keeps for itself. The thread starts at once.
  NameMirror(std::string label, std::unique_ptr<NameDb> db, Encoder& encoder, NameTable::SizeOf size_of);
  ~NameMirror();
  NameMirror(const NameMirror&) = delete;
  NameMirror& operator=(const NameMirror&) = delete;

  // Something the table depends on changed (a block was indexed; for the encoder's
  // own reasons): readers fall back until the update has run.
  void Changed();
  bool Current() const {
    return m_ready.load(std::memory_order_acquire) && m_table_generation.load() >= m_generation.load();
  }
  // Calls f(table, namespaces) under the shared lock. Only while Current().
  template <class F>
  decltype(auto) Read(F&& f) const {
    std::shared_lock lock(m_mutex);
    return f(static_cast<const NameTable&>(*m_table), static_cast<const NamespaceMap&>(m_namespaces));
  }
  NameMirrorStats Stats() const;
  // Stops the thread (idempotent).
  void Stop();

 private:
  void Loop();
  util::Status Build();
  util::Status Update();

  std::string m_label;
  std::unique_ptr<NameDb> m_db;
  Encoder& m_encoder;
  NameTable::SizeOf m_size_of;

  std::atomic<uint64_t> m_generation{1};  // changes reported
  std::atomic<bool> m_stopped{false};
  mutable std::shared_mutex m_mutex;  // guards the table and namespaces
  std::unique_ptr<NameTable> m_table;
  NamespaceMap m_namespaces;
  std::atomic<bool> m_ready{false};
  std::atomic<uint32_t> m_height{0};
  std::atomic<uint64_t> m_table_generation{0};
  std::string m_consensus;  // the consensus hash at m_height (the thread's own)

  std::mutex m_wake_mutex;
  std::condition_variable m_wake;
  std::thread m_thread;
};

}  // namespace blockstack::bns::db

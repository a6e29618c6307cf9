// The subdomain index (spec atlas.md §4): which subdomains exist, who owns each and
// which zone file it has, derived from the zone files that on-chain names
// announced, as they arrive.
//
// Every inventory slot at or above the first subdomain block whose zone file is
// stored is read once for subdomain records (subdomain/record.h), which are kept
// with the slot's position. A subdomain's state is then a function of the set of
// its records, ordered by (sequence number, slot): the first creation (sequence 0,
// from its own domain's zone file) starts it, and each later record is accepted
// when its sequence number is the last accepted one's plus one, it is signed by
// that record's owner, and (for a record from another domain's zone file) it keeps
// the owner. A zone file that arrives late adds its records and the affected
// subdomains are recomputed, so the result does not depend on arrival order. A
// reorganisation that takes slots back takes their records back the same way.
//
// Kept in its own SQLite file (WAL). Thread-safe: Update runs on one thread (the
// index's worker, or a caller's), queries on any, through a second connection.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <db/sqlite.h>
#include <interfaces/events.h>
#include <interfaces/zonefile_index.h>
#include <util/result.h>

namespace blockstack::subdomain {

// A stored zone file by its hash (40 hex); nullopt when it is not stored.
using ZonefileReader = std::function<util::Result<std::optional<std::string>>(std::string_view hash)>;

// A subdomain as it stands: its last accepted record.
struct SubdomainState {
  std::string fqn;
  std::string domain;  // the name whose zone file carried the record
  std::string owner;
  int64_t seqn = 0;
  std::string zonefile;
  std::string zonefile_hash;  // hash160 of zonefile, hex
  std::string txid;           // of the name operation that announced the carrying zone file
  uint32_t block_height = 0;
  uint64_t slot = 0;  // that zone file's inventory position
  std::optional<std::string> resolver;  // the carrying zone file's "_resolver" URI
};

// A subdomain record as a transaction's zone file carried it, accepted or not.
struct SubdomainOperation {
  SubdomainState state;  // as the record has it
  bool accepted = false;
  std::optional<std::string> signature;
  std::string parent_zonefile_hash;
  uint64_t offset = 0;  // its place among the records of the carrying zone file
  std::string missing;  // the carrying zone file's "_missing" list, comma-separated
};

class SubdomainIndex {
 public:
  // Opens or creates the index at path. first_block: slots below it are ignored.
  static util::Result<std::unique_ptr<SubdomainIndex>> Open(const std::string& path, uint32_t first_block,
                                                            interfaces::ZonefileIndex& slots, ZonefileReader reader);
  ~SubdomainIndex();
  SubdomainIndex(const SubdomainIndex&) = delete;
  SubdomainIndex& operator=(const SubdomainIndex&) = delete;

  // Reads new slots (taking back those a reorganisation removed) and the zone
  // files of new slots and of those reported by OnStored (after opening: of every
  // slot not read yet), and recomputes the subdomains they touch.
  util::Status Update();
  // Reports a zone file newly stored (by its hash) and wakes the worker.
  void OnStored(std::string_view hash);
  void OnZonefileStored(const interfaces::ZonefileStored& stored) { OnStored(stored.hash); }

  // Called after an Update that changed some subdomain (cache invalidation). Set
  // before Start.
  void SetOnChanged(std::function<void()> callback) { m_on_changed = std::move(callback); }

  // A worker thread that runs Update after each Wake (and every few seconds).
  void Start();
  void Stop();
  void Wake();
  void OnBlockCommitted(const interfaces::BlockCommitted&) { Wake(); }

  util::Result<std::optional<SubdomainState>> Lookup(std::string_view fqn);
  // Every subdomain record carried by the zone files of this transaction's name
  // operations, in inventory and file order.
  util::Result<std::vector<SubdomainOperation>> OperationsOfTransaction(std::string_view txid);
  // Every accepted record of a subdomain, oldest first.
  util::Result<std::vector<SubdomainState>> History(std::string_view fqn);
  // DIDs (the original's subdomain DID rule): a subdomain is identified by the
  // owner of its first accepted record (sequence 0) and how many subdomains that
  // owner created before it, in inventory and file order. `owners` are the forms
  // the one owner may be written in (an address on each network).
  // The owner of fqn's first accepted record; nullopt when it has none.
  util::Result<std::optional<std::string>> Creator(std::string_view fqn);
  // How many subdomains `owners` created before fqn; nullopt when fqn has no
  // accepted first record.
  util::Result<std::optional<uint64_t>> CreationIndex(std::string_view fqn, const std::vector<std::string>& owners);
  // The index-th subdomain (from 0) `owners` created; nullopt when there is none.
  util::Result<std::optional<std::string>> CreatedBy(const std::vector<std::string>& owners, uint64_t index);
  // The subdomains whose current owner is address, sorted.
  util::Result<std::vector<std::string>> NamesOwnedBy(std::string_view address);
  util::Result<uint64_t> Count();
  // The first block whose zone files are read for subdomains.
  uint32_t FirstBlock() const { return m_first_block; }
  // Up to count subdomain names from the offset-th, in name order.
  util::Result<std::vector<std::string>> Names(uint64_t offset, uint64_t count);
  // Up to count subdomain names that start with prefix, in name order.
  util::Result<std::vector<std::string>> NamesWithPrefix(std::string_view prefix, uint64_t count);
  // Up to count subdomains of domain (names with a current record), from the
  // offset-th, in name order.
  util::Result<std::vector<std::string>> SubdomainsOf(std::string_view domain, uint64_t offset, uint64_t count);

 private:
  SubdomainIndex(db::Sqlite writer, db::Sqlite reader, uint32_t first_block, interfaces::ZonefileIndex& slots,
                 ZonefileReader zonefiles);
  struct UnreadSlot {
    int64_t slot;
    std::string name, hash;
  };
  // Returns the first slot it added, if any.
  util::Result<std::optional<uint64_t>> SyncSlots();
  util::Status RollBack(uint64_t from_slot);
  // Subdomain states from "SELECT <the state's columns>" + from_where, with fqn
  // bound to its one parameter.
  util::Result<std::vector<SubdomainState>> States(const std::string& from_where, std::string_view fqn);
  util::Status ReadZonefiles(std::optional<uint64_t> from_slot, const std::set<std::string>& hashes);
  util::Status ReadBatch(const std::vector<UnreadSlot>& batch);
  util::Status Recompute(const std::string& fqn);
  util::Status SetMeta(std::string_view key, int64_t value);
  util::Result<std::optional<int64_t>> GetMeta(std::string_view key);

  std::mutex m_write_mutex;  // Update
  db::Sqlite m_writer;
  std::mutex m_read_mutex;  // queries
  db::Sqlite m_reader;
  const uint32_t m_first_block;
  interfaces::ZonefileIndex& m_slots;
  ZonefileReader m_zonefiles;
  std::function<void()> m_on_changed;
  bool m_changed = false;  // under m_write_mutex: this Update touched a subdomain
  bool m_scan_all = true;  // under m_write_mutex: look at every unread slot next time
  std::mutex m_stored_mutex;
  std::set<std::string> m_stored;  // hashes reported by OnStored since the last Update

  std::mutex m_wake_mutex;
  std::condition_variable m_wake;
  bool m_woken = false;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

}  // namespace blockstack::subdomain

// An Atlas node (spec atlas.md §1): keeps every zone file announced on chain, swaps
// inventories with its peers, fetches what it lacks rarest-first, pushes what it
// gets to neighbours that lack it, and finds the network from a few seeds with a
// Metropolis-Hastings random walk (MHRWDA). It serves the peer protocol under
// /v1/atlas/ on the node's API port (doc/atlas.md).
//
// What is valid comes only from the ZonefileIndex: a file is stored only when its
// hash160 is the value hash of some slot. Thread-safe; one crawler thread plus
// short-lived I/O threads, none of them holding the lock during network calls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <atlas/inventory.h>
#include <atlas/peer_client.h>
#include <atlas/zonefile_store.h>
#include <interfaces/events.h>
#include <interfaces/zonefile_index.h>
#include <net/http_server.h>
#include <net/router.h>

namespace blockstack::atlas {

struct AtlasSettings {
  std::string self;                    // host:port peers reach us at ("" until known)
  std::vector<std::string> seeds;      // always kept (never dropped for being unreachable)
  std::vector<std::string> blacklist;  // never contacted, never passed on
  std::string network = "mainnet";     // peers on another network are refused
  std::string version = "0.1.0";
  // Intervals (spec §1.6); test networks use seconds.
  std::chrono::milliseconds work_interval{300000};      // crawler pause when idle
  std::chrono::milliseconds inventory_refresh{600000};  // PEER_PING_INTERVAL
  std::chrono::milliseconds peer_clean_interval{3600000};
  std::chrono::milliseconds health_window{3600000};  // PEER_LIFETIME_INTERVAL
  std::chrono::milliseconds ban_time{3600000};       // how long a peer that sent bad files is shunned
  // Timeouts (spec §1.6 table).
  std::chrono::milliseconds probe_timeout{3000};
  std::chrono::milliseconds inventory_timeout{10000};
  std::chrono::milliseconds neighbors_timeout{10000};
  std::chrono::milliseconds zonefiles_timeout{30000};
  std::chrono::milliseconds push_timeout{10000};
  std::size_t max_parallel = 8;           // concurrent peer calls
  std::size_t max_fetch_per_peer = 2000;  // hashes asked of one peer per round
  // A peer's answer must keep coming at this rate (bytes/s, averaged from its
  // first byte once the grace has passed), or it is cut off and what it was
  // asked for goes to other peers in the same round.
  std::size_t min_transfer_rate = 4096;
  std::chrono::milliseconds min_rate_grace{1000};
  bool push = true;
};

// Peers below this health are not asked for files nor passed on (spec §1.6).
inline constexpr double MIN_PEER_HEALTH = 0.5;

struct AtlasStats {
  uint64_t slots = 0;
  uint64_t hashes = 0;   // distinct announced hashes
  uint64_t present = 0;  // of those, stored here
  uint64_t missing = 0;
  std::size_t peers = 0;
};

class AtlasNode {
 public:
  // Reads the store and the index. Fails when either cannot be read.
  static util::Result<std::unique_ptr<AtlasNode>> Create(AtlasSettings settings, ZonefileStore& store,
                                                         interfaces::ZonefileIndex& index);
  ~AtlasNode();
  AtlasNode(const AtlasNode&) = delete;
  AtlasNode& operator=(const AtlasNode&) = delete;

  // Starts and stops the crawler thread. Stop is idempotent and waits for it.
  void Start();
  void Stop();
  // Where peers reach this node, once the server listens.
  void SetSelf(const std::string& hostport);
  // Called after each block: new slots are read from the index on the next round.
  void OnBlock();
  void OnBlockCommitted(const interfaces::BlockCommitted&) { OnBlock(); }
  // Called with the hash of every zone file newly stored (API cache invalidation).
  void SetOnStored(std::function<void(const std::string&)> callback);

  // Stores a zone file announced on chain. Returns whether it was new. Fails with
  // NotFound when no slot announces its hash, TooLarge over the limit.
  util::Result<bool> Store(std::string_view zonefile);

  // The peer protocol's routes under /v1/atlas/ (atlas_server.cpp), for the
  // node to mount on its HTTP server. Valid as long as this node.
  const net::Router& Routes() const { return m_routes; }
  // One request of the peer protocol (what a server mounting Routes answers).
  net::Response Handle(const net::Request& req) { return m_routes.Dispatch(req).response; }

  AtlasStats Stats();
  // Up to limit hashes announced on chain whose zone files are not stored here.
  std::vector<std::string> MissingHashes(std::size_t limit);
  // Asks up to three peers (healthiest first) for one zone file, checked against
  // its hash; does not store it. Sets *peer to the one that answered.
  std::optional<std::string> FetchFromPeers(const std::string& hash, std::string* peer);

 private:
  using Clock = std::chrono::steady_clock;
  struct Peer {
    bool seed = false;
    bool ever_ok = false;
    std::deque<std::pair<Clock::time_point, bool>> window;  // (when, responded)
    Inventory inventory;
    Clock::time_point inventory_at{};
    bool inventory_known = false;
    bool inventory_cut = false;  // it advertised more slots than we knew of then
    std::size_t bad_files = 0;
    uint32_t slot = 0;  // admission slot (spec "Peer DB admission")
  };
  struct HashState {
    bool present = false;
    std::vector<uint64_t> slots;
  };
  struct SlotRef {
    std::string hash;
    uint32_t height = 0;
    std::string txid;
  };

  AtlasNode(AtlasSettings settings, ZonefileStore& store, interfaces::ZonefileIndex& index);
  void Run();

  // The server side of the peer protocol (atlas_server.cpp), one per route.
  void AddRoutes();
  net::Response ServeInfo();
  net::Response ServeInventory(const net::Request& req);
  net::Response ServePeers(const net::Request& req);
  net::Response ServeZonefiles(const net::Request& req);
  net::Response ServePutZonefiles(const net::Request& req);
  net::Response ServeNeighbors();
  // Reads new slots from the index (and takes back slots a reorg removed).
  util::Status Resync(const std::unordered_map<std::string, bool>* stored);
  util::Status ResyncLocked(const std::unordered_map<std::string, bool>* stored);
  void MarkPresentLocked(const std::string& hash);
  // hashes: each file's hash when already checked (a peer's answer), else computed.
  util::Result<std::vector<bool>> StoreMany(std::vector<std::string> files, std::vector<std::string> hashes = {});

  void Record(const std::string& hostport, bool responded);
  double HealthLocked(const Peer& p) const;
  void Enqueue(const std::vector<std::string>& candidates);
  bool Admissible(const std::string& hostport) const;  // not self, not blacklisted, not banned

  bool ProbeCandidates();
  util::Status CheckPeerInfo(const PeerInfo& info);
  bool AdmitPeer(const std::string& hostport);
  void WalkStep();
  util::Result<std::vector<std::string>> Neighbors(const std::string& hostport);
  bool RefreshInventories();
  bool FetchMissing();
  class FetchRound;
  // The missing hashes peers advertise this round, rarest first, and which
  // peers may be asked for them. Caller holds m_mutex.
  std::unique_ptr<FetchRound> PlanRoundLocked();
  class BatchStorer;
  // Peer p of the round takes batches of up to MAX_GET_ZONEFILES hashes from
  // it, one request after the other, until nothing is left that p has; hands
  // what arrives to storer and gives back what did not.
  void FetchFrom(std::size_t p, FetchRound& round, BatchStorer& storer);
  // A client for hp, with the minimum transfer rate.
  util::Result<std::unique_ptr<PeerClient>> Client(const std::string& hp) const;
  // Accounts for one answer of hp to asked: what it did not deliver is not asked
  // of it again before its next inventory, and counts against its health, as
  // bad files do; a peer that sent bad files and fell below the threshold is
  // banned. Returns false once hp is gone. Caller holds m_mutex.
  bool SettleFetchLocked(const std::string& hp, const std::vector<std::string>& asked,
                         const std::unordered_set<std::string>& delivered, std::size_t bad);
  void PushQueued();
  void CleanPeers();

  // Runs fn over items with at most max_parallel threads.
  void Parallel(const std::vector<std::string>& items, const std::function<void(const std::string&)>& fn);
  // The same over the indexes 0..count-1.
  void ParallelIndex(std::size_t count, const std::function<void(std::size_t)>& fn);

  AtlasSettings m_settings;
  ZonefileStore& m_store;
  interfaces::ZonefileIndex& m_index;

  std::mutex m_mutex;  // guards everything below
  std::vector<SlotRef> m_slots;
  std::unordered_map<std::string, HashState> m_hashes;
  Inventory m_inventory;
  uint64_t m_present = 0;
  std::map<std::string, Peer> m_peers;
  std::map<uint32_t, std::string> m_peer_slots;
  std::set<std::string> m_blacklist;
  std::map<std::string, Clock::time_point> m_banned;
  std::deque<std::string> m_candidates;
  std::deque<std::string> m_push_queue;
  std::function<void(const std::string&)> m_on_stored;
  std::mt19937_64 m_rng;
  bool m_resync_needed = true;
  // Random walk state.
  std::string m_walk_current, m_walk_previous;
  std::vector<std::string> m_walk_neighbors;
  Clock::time_point m_next_walk{}, m_next_clean{};

  std::mutex m_wake_mutex;
  std::condition_variable m_wake;
  bool m_woken = false;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  net::Router m_routes;
};

}  // namespace blockstack::atlas

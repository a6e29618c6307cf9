// Where blockstackd finds a record it does not hold (doc/dht.md): the local
// zone-file store, then each --mirror, then the Atlas peers, then the DHT; every copy is checked
// against its hash160 and a copy that differs is skipped. Also publishes every
// zone file the node stores into the DHT, and fills zone files Atlas could not
// get from its peers.
//
// Thread safety: Fetch and Handle may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <atlas/atlas_node.h>
#include <atlas/zonefile_store.h>
#include <dht/dht_node.h>
#include <net/http_server.h>
#include <net/router.h>

namespace blockstack::node {

class RecordSources {
 public:
  // dht and atlas may be null. mirrors: URLs; "{hash}" in one is replaced by the
  // hash, otherwise "/<hash>" is appended.
  RecordSources(atlas::ZonefileStore& store, dht::DhtNode* dht, atlas::AtlasNode* atlas, std::vector<std::string> mirrors);
  ~RecordSources();

  struct Found {
    std::string data;
    std::string source;  // "local", the mirror URL, "atlas:<host:port>", or "dht"
  };
  // The record whose hash160 is hash_hex, from the first source that has a copy
  // matching it; nullopt when none does. ask_atlas: include the Atlas peers (the
  // background filler leaves them to Atlas's own crawler).
  std::optional<Found> Fetch(const std::string& hash_hex, bool ask_atlas = true);

  // Queues a stored zone file (by hash) for the DHT (a no-op without one).
  void Publish(std::string hash_hex);

  // Starts the worker: publishes what is queued (and, once, every stored zone
  // file), and every few seconds looks for the zone files Atlas is missing.
  void Start(std::chrono::milliseconds interval);
  void Stop();

  // The routes under /v1/dht/, for the node to mount: GET /v1/dht/records/{hash}
  // (the record, from any source; X-Record-Source says which) and POST
  // /v1/dht/records (stores the body in the DHT; answers {"hash": ...}).
  const net::Router& Routes() const { return m_routes; }

 private:
  void Run();
  void AddRoutes();

  atlas::ZonefileStore& m_store;
  dht::DhtNode* m_dht;
  atlas::AtlasNode* m_atlas;
  std::vector<std::string> m_mirrors;
  std::chrono::milliseconds m_interval{5000};
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<std::string> m_queue;
  bool m_stop = false;
  std::thread m_thread;
  net::Router m_routes;
};

}  // namespace blockstack::node

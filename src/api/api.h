// The node's REST API v1 (spec bns.md §6) over the name database and the zone-file
// store: the routes, JSON shapes, status codes and error bodies of the original
// node, CORS on every answer, /v1/info with sync progress, and /metrics.
//
// Handle() is thread-safe. Each request borrows a read-only database connection
// from a pool (WAL mode: reads never wait for the indexer). Rendered GET answers
// are cached until the next block (OnBlock) or stored zone file. The hot route,
// GET /v1/names/{name}, reads every name's answer fields from memory
// (bns/db/name_mirror.h) once they are current, and is not cached.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <atlas/atlas_node.h>
#include <atlas/zonefile_store.h>
#include <bns/db/name_db.h>
#include <bns/db/name_mirror.h>
#include <bns/lifecycle.h>
#include <bns/ops/op.h>
#include <net/http_server.h>
#include <net/metrics.h>
#include <subdomain/index.h>
#include <util/lru_cache.h>

namespace blockstack::api {

struct ApiSettings {
  std::string db_path;             // the name database, opened read-only
  bns::ops::Rules rules;           // network, epochs, first block, test mode
  std::string version = "0.1.0";
  std::string public_url;          // this node's API URL, reported by POST /v1/zonefile
  std::size_t cache_entries = 10000;
  std::size_t connections = 8;     // read connections kept open
  bool name_table = true;          // every name's answer fields in memory (about 150 MB a million names)
};

class Api {
 public:
  ~Api();
  // zonefiles is shared with the indexer's side (Atlas). Fails when the database
  // cannot be opened.
  static util::Result<std::unique_ptr<Api>> Create(ApiSettings settings, atlas::ZonefileStore& zonefiles);

  net::Response Handle(const net::Request& req);
  net::ServerOptions ServerOptions() const;

  // Called by the indexer after each committed block (the API answers as of the
  // last block reported), and with the Bitcoin tip.
  void OnBlock(uint32_t height);
  void OnChainTip(uint32_t height, bool indexing);
  // The URL POST /v1/zonefile reports (known once the server listens).
  void SetPublicUrl(std::string url) {
    std::lock_guard lock(m_pool_mutex);
    m_settings.public_url = std::move(url);
  }

  // Serves the Atlas peer protocol under /v1/atlas/ and stores POSTed zone files
  // through it (so they are replicated). Set before serving; not owned.
  void SetAtlas(atlas::AtlasNode* atlas) { m_atlas = atlas; }
  // Answers for subdomain names (alice.example.id) from this index. Set before
  // serving; not owned. Without it such names are refused as invalid.
  void SetSubdomains(subdomain::SubdomainIndex* index) { m_subdomains = index; }
  // Cached answers that embed zone files are stale once a new one is stored.
  void OnZonefileStored() { ++m_generation; }
  // Told of each zone file POSTed while there is no Atlas node (with one, Atlas
  // tells). Set before serving.
  void SetOnStored(std::function<void(const std::string&)> callback) { m_on_stored = std::move(callback); }

  net::Metrics& Metrics() { return m_metrics; }
  // The in-memory name table (empty stats when it is off).
  bns::db::NameMirrorStats NameTableStats() const;

 private:
  Api(ApiSettings settings, atlas::ZonefileStore& zonefiles);
  struct Conn {
    std::unique_ptr<bns::db::NameDb> db;
    uint64_t generation = 0;  // m_generation when its caches were last valid
    // A read transaction is kept open between requests (beginning and ending one
    // per statement cost more than the lookup) and ended when the generation moves.
    bool reading = false;
  };
  class Lease;
  class Entries;
  // GET /v1/names/{name} answered from memory; nullopt when the table is not
  // current or the request is another route.
  std::optional<net::Response> NameFromMemory(const net::Request& req);
  // The answer for a live name's fields (and its zone file from the store).
  net::Response NameAnswer(const bns::db::NameLookup& rec, const bns::NameStatus& st);
  // /v1/names/{subdomain}[/zonefile].
  net::Response SubdomainRoute(const net::Request& req, const std::vector<std::string>& seg, std::string& route);
  net::Response Route(const net::Request& req, bns::db::NameDb& db, std::string& route);
  // The names of recs that are live at height, in order.
  util::Result<std::vector<std::string>> LiveOnly(bns::db::NameDb& db, const std::vector<bns::NameRecord>& recs,
                                                  uint32_t height);
  // Live names (all, or one namespace's), sorted. Computed once per block: paging
  // through them costs a slice, not a scan of the database.
  util::Result<std::shared_ptr<const std::vector<std::string>>> LiveNames(bns::db::NameDb& db,
                                                                          const std::string& namespace_id);

  ApiSettings m_settings;
  atlas::ZonefileStore& m_zonefiles;
  atlas::AtlasNode* m_atlas = nullptr;
  subdomain::SubdomainIndex* m_subdomains = nullptr;
  std::function<void(const std::string&)> m_on_stored;
  std::mutex m_pool_mutex;
  std::vector<Conn> m_pool;
  std::atomic<uint64_t> m_generation{0};
  util::LruCache<std::string, std::pair<uint64_t, net::Response>> m_cache;
  std::atomic<uint32_t> m_last_block{0};  // as reported by OnBlock (read at start)
  std::atomic<uint32_t> m_last_seen{0};
  std::atomic<bool> m_indexing{true};
  net::Metrics m_metrics;
  std::mutex m_live_mutex;  // held while a list is computed, so one request scans
  uint64_t m_live_generation = UINT64_MAX;
  std::map<std::string, std::shared_ptr<const std::vector<std::string>>> m_live;  // "" = every namespace
  std::unique_ptr<Entries> m_entries;
  std::unique_ptr<bns::db::NameMirror> m_mirror;  // after m_entries: stopped before it goes
};

}  // namespace blockstack::api

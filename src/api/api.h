// The node's REST API v1 (spec bns.md §6) over the name database and the zone-file
// store: the routes, JSON shapes, status codes and error bodies of the original
// node, CORS on every answer, /v1/info with sync progress, and /metrics. The
// routes live in one file per area (routes_*.cpp) and are looked up by a
// net::Router; the node mounts Atlas's and the DHT's routes beside these.
//
// Handle() is thread-safe. Each request borrows a read-only database connection
// from a pool (WAL mode: reads never wait for the indexer). Rendered GET answers
// are cached until the next block (OnBlock) or stored zone file. The hot route,
// GET /v1/names/{name}, reads every name's answer fields from memory
// (bns/db/name_mirror.h) once they are current, and is not cached.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <atlas/zonefile_store.h>
#include <bns/db/name_db.h>
#include <bns/db/name_mirror.h>
#include <bns/lifecycle.h>
#include <bns/ops/op.h>
#include <interfaces/events.h>
#include <net/http_server.h>
#include <net/metrics.h>
#include <net/router.h>
#include <proofs/bundle.h>
#include <subdomain/index.h>
#include <util/lru_cache.h>

namespace blockstack::api {

class StateRoots;

struct ApiSettings {
  std::string db_path;             // the name database, opened read-only
  bns::ops::Rules rules;           // network, epochs, first block, test mode
  std::string version = "0.1.0";
  std::string public_url;          // this node's API URL, reported by POST /v1/zonefile
  std::size_t cache_entries = 10000;
  std::size_t connections = 8;     // read connections kept open
  bool name_table = true;          // every name's answer fields in memory (about 150 MB a million names)
  bool proofs = true;              // the name-state tree and /v1/proofs (doc/proofs.md)
  // On a test network, /v1/names/{name} writes the owner's address with the
  // mainnet version bytes, as blockstack.js v21 compares it (doc/authenticator.md).
  bool mainnet_addresses = false;
  // /v1/users and /v1/dids: how long a fetched profile (or the failure to fetch
  // one) is kept, and how many are kept.
  std::chrono::seconds profile_ttl{300};
  std::size_t profile_entries = 10000;
};

class Api {
 public:
  ~Api();
  // zonefiles is shared with the indexer's side (Atlas). Fails when the database
  // cannot be opened.
  static util::Result<std::unique_ptr<Api>> Create(ApiSettings settings, atlas::ZonefileStore& zonefiles);

  net::Response Handle(const net::Request& req);
  // Handle, with the label of the route that answered (for a server that mounts
  // the API beside other parts).
  net::Routed HandleRouted(const net::Request& req);
  net::ServerOptions ServerOptions() const;

  // The node's events (interfaces/events.h): the API answers as of the last
  // committed block, and cached answers that embed zone files are dropped when
  // one is stored.
  void OnBlockCommitted(const interfaces::BlockCommitted& block);
  void OnZonefileStored(const interfaces::ZonefileStored& stored);
  // Cached answers are dropped (a zone file was stored, the subdomain index moved).
  void Invalidate() { ++m_generation; }
  // The Bitcoin tip, while catching up and at the tip.
  void OnChainTip(uint32_t height, bool indexing);
  // OnBlockCommitted with only a height (tests that index by hand).
  void OnBlock(uint32_t height) { OnBlockCommitted({.height = height}); }
  // The URL POST /v1/zonefile reports (known once the server listens).
  void SetPublicUrl(std::string url) {
    std::lock_guard lock(m_pool_mutex);
    m_settings.public_url = std::move(url);
  }

  // How POST /v1/zonefile stores a zone file: returns whether it was new; fails
  // with NotFound when no name announces its hash. The node's writer replicates
  // it (Atlas) and tells every part. Without one, the API checks the name
  // database and writes the store itself. Set before serving.
  using ZonefileWriter = std::function<util::Result<bool>(std::string_view zonefile)>;
  void SetZonefileWriter(ZonefileWriter writer) { m_writer = std::move(writer); }
  // Answers for subdomain names (alice.example.id) from this index. Set before
  // serving; not owned. Without it such names are refused as invalid.
  void SetSubdomains(subdomain::SubdomainIndex* index) { m_subdomains = index; }
  // Atlas's counts for /v1/info. Set before serving.
  struct AtlasCounts {
    uint64_t slots = 0;  // the inventory's length
    uint64_t present = 0;
    uint64_t missing = 0;
    std::size_t peers = 0;
  };
  void SetAtlasCounts(std::function<AtlasCounts()> counts) { m_atlas_counts = std::move(counts); }
  // The block a transaction (64 hex) was mined in, asked of the Bitcoin node;
  // nullopt when the node does not know it or it is not in a block yet. Set
  // before serving; without it /v1/blockchains/bitcoin/transactions answers 503.
  using TransactionLocator = std::function<util::Result<std::optional<uint32_t>>(const std::string& txid)>;
  void SetTransactionLocator(TransactionLocator locator) { m_locate_tx = std::move(locator); }
  // The height of a block (hash in display hex) on the Bitcoin node's best chain;
  // nullopt when it does not know it. Without it /v1/blocks/hash/{hash} answers 503.
  using BlockLocator = std::function<util::Result<std::optional<uint32_t>>(const std::string& hash)>;
  void SetBlockLocator(BlockLocator locator) { m_locate_block = std::move(locator); }

  net::Metrics& Metrics() { return m_metrics; }
  // Counts one answered request in api_requests_total and its latency.
  void CountRequest(std::string_view route, unsigned status, double seconds);
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
  using Params = net::PathParams;
  using DbHandler = net::Response (Api::*)(const net::Request&, const Params&, bns::db::NameDb&);
  using PlainHandler = net::Response (Api::*)(const net::Request&, const Params&);

  // The route table, one call per area (routes_*.cpp).
  void BuildRoutes();
  void AddNodeRoutes();
  void AddNameRoutes();
  void AddNamespaceRoutes();
  void AddChainRoutes();
  void AddZonefileRoutes();
  void AddProofRoutes();
  // Adds a route whose handler reads the name database through a leased connection.
  void AddDb(std::string_view method, std::string_view pattern, std::string label, DbHandler handler);
  void AddPlain(std::string_view method, std::string_view pattern, std::string label, PlainHandler handler);

  // routes_node.cpp
  net::Response Preflight(const net::Request& req, const Params& p);
  net::Response Ping(const net::Request& req, const Params& p);
  net::Response MetricsText(const net::Request& req, const Params& p);
  net::Response Info(const net::Request& req, const Params& p, bns::db::NameDb& db);
  // routes_names.cpp
  net::Response AllNamesPage(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response SubdomainsPage(const net::Request& req, const Params& p);
  net::Response Name(const net::Request& req, const Params& p, bns::db::NameDb& db);
  // An owner's address as /v1/names answers it (ApiSettings::mainnet_addresses).
  std::string AnsweredAddress(const std::string& address) const;
  net::Response NameHistory(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NameZonefile(const net::Request& req, const Params& p, bns::db::NameDb& db);
  // The name's record if it is live now (nullopt when absent or expired).
  util::Result<std::optional<bns::NameRecord>> LiveName(bns::db::NameDb& db, const std::string& fqn);
  // GET /v1/names/{name} answered from memory; nullopt when the table is not
  // current or the request is another route.
  std::optional<net::Response> NameFromMemory(const net::Request& req);
  // The answer for a live name's fields (and its zone file from the store), with
  // its DID (nullopt: the original's {"error": ...} in its place).
  net::Response NameAnswer(const bns::db::NameLookup& rec, const bns::NameStatus& st,
                           const std::optional<std::string>& did);
  // DIDs (routes_users.cpp). A name's is computed from the database once per
  // block and remembered, so the name route from memory can answer it; nullopt
  // when the name has none, or cannot have one yet (the node catches up).
  std::optional<std::string> NameDid(bns::db::NameDb& db, const std::string& fqn);
  // The remembered DID of fqn at this block; nullopt when not computed yet.
  std::optional<std::optional<std::string>> RememberedDid(const std::string& fqn);
  std::optional<std::string> SubdomainDid(const std::string& fqn);
  // /v1/names/{subdomain}[/zonefile|/history]; what is "" for the record.
  net::Response Subdomain(const net::Request& req, const std::string& fqn, std::string_view what,
                          bns::db::NameDb& db);
  // The registrar a subdomain this node does not know is sent to: the
  // "_resolver" URI of its live domain's zone file, when it is http(s) and not
  // this node itself.
  std::optional<std::string> RegistrarFor(const net::Request& req, const std::string& domain, bns::db::NameDb& db);
  net::Response SubdomainHistory(const std::string& fqn, uint32_t page);
  net::Response SubdomainZonefile(const net::Request& req, const std::string& fqn, const std::string& hash);
  // routes_namespaces.cpp
  net::Response Namespaces(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Namespace(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NamespaceNames(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NamespaceNameCount(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NamespaceRegistrations(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NamePrice(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NamespacePrice(const net::Request& req, const Params& p);
  // The live names of namespace id; nullptr with *error set when id is
  // malformed or unknown, or the database cannot be read.
  using LiveList = std::shared_ptr<const std::vector<std::string>>;
  LiveList NamespaceLiveNames(bns::db::NameDb& db, const std::string& id, net::Response* error);
  // routes_chain.cpp
  net::Response Consensus(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response ConsensusBlock(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response NameCount(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response SubdomainsCount(const net::Request& req, const Params& p);
  // The resolver routes (routes_users.cpp).
  void AddUserRoutes();
  static bool IsResolverRoute(const net::Request& req);
  struct ResolvedProfile {
    std::chrono::steady_clock::time_point fetched{};
    nlohmann::json profile;
    nlohmann::json zonefile;
    std::string public_key{};  // hex, of the key that signed the profile
    std::string url{};
    std::string error{};  // why there is no profile; "" when there is one
  };
  ResolvedProfile ResolveProfile(const std::string& owner, const std::string& zonefile_text);
  net::Response User(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Did(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Transaction(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Preorder(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response SubdomainsOfTransaction(const net::Request& req, const Params& p);
  net::Response Operations(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Block(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response BlockByHash(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Search(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response SubdomainsOfName(const net::Request& req, const Params& p);
  net::Response NameRecord(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response AddressNames(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response Account(const net::Request& req, const Params& p);
  // routes_proofs.cpp
  net::Response ProofHistory(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response ProofSubdomain(const std::string& fqn, const std::string& domain, uint32_t anchor, bns::db::NameDb& db);
  // The zone files of the name operations in a bundle that announced one, at or
  // above first_block (nullopt for one not stored).
  util::Result<proofs::Zonefiles> BundleZonefiles(const proofs::HistoryBundle& bundle, uint32_t first_block);
  net::Response ProofState(const net::Request& req, const Params& p);
  net::Response ProofRoot(const net::Request& req, const Params& p);
  // routes_zonefiles.cpp
  net::Response PostZonefile(const net::Request& req, const Params& p, bns::db::NameDb& db);
  net::Response ZonefileByHash(const net::Request& req, const Params& p);

  // The names of recs that are live at height, in order.
  util::Result<std::vector<std::string>> LiveOnly(bns::db::NameDb& db, const std::vector<bns::NameRecord>& recs,
                                                  uint32_t height);
  // Live names (all, or one namespace's), sorted. Computed once per block: paging
  // through them costs a slice, not a scan of the database.
  util::Result<std::shared_ptr<const std::vector<std::string>>> LiveNames(bns::db::NameDb& db,
                                                                          const std::string& namespace_id);

  ApiSettings m_settings;
  atlas::ZonefileStore& m_zonefiles;
  subdomain::SubdomainIndex* m_subdomains = nullptr;
  ZonefileWriter m_writer;
  std::function<AtlasCounts()> m_atlas_counts;
  TransactionLocator m_locate_tx;
  BlockLocator m_locate_block;
  net::Router m_router{{.normalise = true}};
  std::mutex m_pool_mutex;
  std::vector<Conn> m_pool;
  std::atomic<uint64_t> m_generation{0};
  util::LruCache<std::string, std::pair<uint64_t, net::Response>> m_cache;
  util::LruCache<std::string, ResolvedProfile> m_profiles;  // by owner and zone file
  std::atomic<uint64_t> m_blocks_seen{0};                   // OnBlockCommitted calls
  util::LruCache<std::string, std::pair<uint64_t, std::optional<std::string>>> m_dids{100000};  // at m_blocks_seen
  std::atomic<uint32_t> m_last_block{0};  // as reported by OnBlock (read at start)
  std::atomic<uint32_t> m_last_seen{0};
  std::atomic<bool> m_indexing{true};
  net::Metrics m_metrics;
  std::mutex m_live_mutex;  // held while a list is computed, so one request scans
  uint64_t m_live_generation = UINT64_MAX;
  std::map<std::string, std::shared_ptr<const std::vector<std::string>>> m_live;  // "" = every namespace
  std::unique_ptr<Entries> m_entries;
  std::unique_ptr<bns::db::NameMirror> m_mirror;  // after m_entries: stopped before it goes
  std::unique_ptr<StateRoots> m_state;            // the name-state tree (doc/proofs.md)
};

}  // namespace blockstack::api

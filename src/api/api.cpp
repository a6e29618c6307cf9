#include <api/api.h>
#include <api/detail/answers.h>
#include <api/name_entry.h>
#include <api/state_roots.h>

#include <chrono>
#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atlas/peer_client.h>
#include <bns/lifecycle.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;

namespace {

// A zone file as JSON text (escaped) or base64 fits in twice its size; Atlas
// requests are bounded by the peer protocol's own limit.
constexpr std::size_t MAX_POST_BODY = atlas::MAX_REQUEST_BYTES;

}  // namespace

// A read connection borrowed from the pool for one request.
class Api::Lease {
 public:
  explicit Lease(Api& api) : m_api(api) {}
  ~Lease() {
    if (!m_conn.db) return;
    std::lock_guard lock(m_api.m_pool_mutex);
    if (m_api.m_pool.size() < m_api.m_settings.connections) m_api.m_pool.push_back(std::move(m_conn));
  }
  util::Result<bns::db::NameDb*> Get() {
    {
      std::lock_guard lock(m_api.m_pool_mutex);
      if (!m_api.m_pool.empty()) {
        m_conn = std::move(m_api.m_pool.back());
        m_api.m_pool.pop_back();
      }
    }
    if (!m_conn.db) {
      BS_TRY(m_conn.db, bns::db::NameDb::Open(m_api.m_settings.db_path, /*read_only=*/true));
    }
    // The indexer writes through its own connection: after a block (or a stored
    // zone file), read a fresh view and drop what this one remembers (namespaces,
    // consensus hashes).
    uint64_t now = m_api.m_generation;
    if (m_conn.generation != now) {
      if (m_conn.reading) m_conn.db->EndRead();
      m_conn.reading = false;
      m_conn.db->ClearCaches();
      m_conn.generation = now;
    }
    if (!m_conn.reading) m_conn.reading = m_conn.db->BeginRead().has_value();
    return m_conn.db.get();
  }

 private:
  Api& m_api;
  Conn m_conn;
};

class Api::Entries : public bns::db::NameMirror::Encoder {
 public:
  util::Result<std::string> Encode(const bns::NameRecord& rec) override { return EncodeNameEntry(rec); }
};

Api::~Api() = default;  // Entries is complete here

bns::db::NameMirrorStats Api::NameTableStats() const {
  return m_mirror ? m_mirror->Stats() : bns::db::NameMirrorStats{};
}

Api::Api(ApiSettings settings, atlas::ZonefileStore& zonefiles)
    : m_settings(std::move(settings)), m_zonefiles(zonefiles), m_cache(m_settings.cache_entries),
      m_profiles(m_settings.profile_entries) {
  m_metrics.Describe("api_requests_total", "API requests answered, by route and status", "counter");
  m_metrics.Describe("api_request_duration_seconds", "Time to answer an API request, by route", "histogram");
  m_metrics.Describe("blockstack_blocks_processed_total", "Blocks indexed since start", "counter");
  m_metrics.Describe("blockstack_ops_total", "Name operations by type and outcome", "counter");
  m_metrics.Describe("blockstack_last_block", "Last indexed block", "gauge");
  m_metrics.Describe("blockstack_bitcoin_tip", "The Bitcoin node's last block, as last seen", "gauge");
  m_metrics.Describe("blockstack_blocks_behind", "Blocks between the Bitcoin node's tip and the last indexed one",
                     "gauge");
  m_metrics.Describe("atlas_peer_count", "Atlas peers known", "gauge");
  m_metrics.Describe("atlas_zonefiles_missing", "Zone files announced on chain and not stored here", "gauge");
  m_metrics.Describe("atlas_zonefiles_present", "Zone files announced on chain and stored here", "gauge");
  m_metrics.Describe("blockstack_build_info", "1, labelled with the version", "gauge");
  m_metrics.Set("blockstack_build_info", {{"version", m_settings.version}}, 1);
  BuildRoutes();
}

util::Result<std::unique_ptr<Api>> Api::Create(ApiSettings settings, atlas::ZonefileStore& zonefiles) {
  std::unique_ptr<Api> api(new Api(std::move(settings), zonefiles));
  Lease probe(*api);
  BS_TRY(auto* db, probe.Get());
  BS_TRY(auto last, db->LastBlock());
  api->m_last_block = last.value_or(api->m_settings.rules.first_block);
  if (api->m_settings.name_table) {
    BS_TRY(auto mirror_db, bns::db::NameDb::Open(api->m_settings.db_path, /*read_only=*/true));
    api->m_entries = std::make_unique<Entries>();
    api->m_mirror = std::make_unique<bns::db::NameMirror>("api", std::move(mirror_db), *api->m_entries, &NameEntrySize);
  }
  if (api->m_settings.proofs) {
    BS_TRY(auto state_db, bns::db::NameDb::Open(api->m_settings.db_path, /*read_only=*/true));
    BS_TRY(api->m_state, StateRoots::Open(std::move(state_db)));
  }
  return api;
}

net::ServerOptions Api::ServerOptions() const {
  net::ServerOptions options;
  options.max_body_bytes = MAX_POST_BODY;
  options.max_header_bytes = 8 * 1024;
  options.error_response = m_router.ErrorRenderer();
  // Reads are answered on the network threads: the database's pages are in the
  // page cache in steady state, and a hand-off to workers costs more than a read.
  // The resolver routes fetch profiles from storage servers (up to seconds):
  // they run on workers, so a slow server never holds a network thread.
  options.worker_threads = 4;
  options.offload = &Api::IsResolverRoute;
  return options;
}

void Api::BuildRoutes() {
  m_router.SetFallback(&net::JsonFallback);
  AddNodeRoutes();
  AddNameRoutes();
  AddNamespaceRoutes();
  AddChainRoutes();
  AddZonefileRoutes();
  AddProofRoutes();
  AddUserRoutes();
}

void Api::AddDb(std::string_view method, std::string_view pattern, std::string label, DbHandler handler) {
  m_router.Add(method, pattern, std::move(label), [this, handler](const net::Request& req, const Params& p) {
    Lease lease(*this);
    auto db = lease.Get();
    if (!db) return Backend(db.error());
    return (this->*handler)(req, p, **db);
  });
}

void Api::AddPlain(std::string_view method, std::string_view pattern, std::string label, PlainHandler handler) {
  m_router.Add(method, pattern, std::move(label),
               [this, handler](const net::Request& req, const Params& p) { return (this->*handler)(req, p); });
}

void Api::OnBlockCommitted(const interfaces::BlockCommitted& block) {
  if (m_state) m_state->OnBlockCommitted(block);
  m_last_block = block.height;
  ++m_blocks_seen;
  ++m_generation;
  if (m_mirror) m_mirror->Changed();
  {
    // Idle connections let go of their view, so the writer's checkpoints are not
    // held back by a reader until the next request.
    std::lock_guard lock(m_pool_mutex);
    for (auto& conn : m_pool) {
      if (conn.reading) conn.db->EndRead();
      conn.reading = false;
    }
  }
  m_metrics.Add("blockstack_blocks_processed_total");
  m_metrics.Set("blockstack_last_block", {}, block.height);
  for (const auto& op : block.ops) {
    m_metrics.Add("blockstack_ops_total", {{"opcode", op.opcode}, {"result", op.accepted ? "accepted" : "rejected"}});
  }
}

void Api::OnZonefileStored(const interfaces::ZonefileStored&) { Invalidate(); }

void Api::OnChainTip(uint32_t height, bool indexing) {
  if (m_state) m_state->OnChainTip(height);
  m_last_seen = height;
  m_indexing = indexing;
}

void Api::CountRequest(std::string_view route, unsigned status, double seconds) {
  m_metrics.Add("api_requests_total", {{"route", std::string(route)}, {"status", std::to_string(status)}});
  m_metrics.Observe("api_request_duration_seconds", {{"route", std::string(route)}}, seconds);
}

net::Response Api::Handle(const net::Request& req) { return HandleRouted(req).response; }

net::Routed Api::HandleRouted(const net::Request& req) {
  auto start = std::chrono::steady_clock::now();
  std::string_view route = "unmatched";
  net::Response res;
  // The name route from memory costs less than a cache lookup: not cached.
  std::optional<net::Response> fast;
  try {
    fast = NameFromMemory(req);
  } catch (const std::exception& e) {
    spdlog::error("api: {} {}: {}", req.method, req.target, e.what());
    fast = Error(500, "Internal error");
  }
  if (fast) {
    route = "name";
    res = std::move(*fast);
    res.With("Access-Control-Allow-Origin", "*");
  } else {
    bool cacheable = req.method == "GET" && !req.path.starts_with("/v1/info") && !req.path.starts_with("/v1/node") &&
                     !req.path.starts_with("/v1/ping") && req.path != "/metrics";
    std::string key = req.method + " " + req.target;
    uint64_t generation = m_generation;
    std::optional<std::pair<uint64_t, net::Response>> hit;
    if (cacheable) hit = m_cache.Get(key);
    if (hit && hit->first == generation) {
      res = std::move(hit->second);
      route = "cached";
    } else {
      try {
        if (req.repeated_query_key && req.method != "OPTIONS") {
          route = "invalid_query";
          res = Error(400, "Invalid query string: repeated key");
        } else {
          auto routed = m_router.Dispatch(req);
          res = std::move(routed.response);
          route = routed.label;
        }
      } catch (const std::exception& e) {
        spdlog::error("api: {} {}: {}", req.method, req.target, e.what());
        res = Error(500, "Internal error");
      }
      res.With("Access-Control-Allow-Origin", "*");
      if (cacheable && res.status < 500) m_cache.Put(key, {generation, res});
    }
  }
  CountRequest(route, res.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return {std::move(res), route};
}

util::Result<std::vector<std::string>> Api::LiveOnly(bns::db::NameDb& db, const std::vector<bns::NameRecord>& recs,
                                                     uint32_t height) {
  std::vector<std::string> out;
  std::map<std::string, std::optional<bns::NamespaceRecord>> namespaces;
  for (const auto& r : recs) {
    auto it = namespaces.find(r.namespace_id);
    if (it == namespaces.end()) {
      BS_TRY(auto ns, db.GetNamespace(r.namespace_id));
      it = namespaces.emplace(r.namespace_id, std::move(ns)).first;
    }
    if (!it->second) continue;
    if (bns::StatusAt(r, *it->second, height, m_settings.rules.epochs, m_settings.rules.namespace_reveal_expire).live) {
      out.push_back(r.name);
    }
  }
  return out;
}

util::Result<std::shared_ptr<const std::vector<std::string>>> Api::LiveNames(bns::db::NameDb& db,
                                                                             const std::string& namespace_id) {
  std::lock_guard lock(m_live_mutex);
  uint64_t generation = m_generation;
  if (m_live_generation != generation) {
    m_live.clear();
    m_live_generation = generation;
  }
  if (auto it = m_live.find(namespace_id); it != m_live.end()) return it->second;
  std::vector<bns::NameRecord> recs;
  if (namespace_id.empty()) {
    BS_TRY(recs, db.AllNames(0, UINT32_MAX));
  } else {
    BS_TRY(recs, db.NamesInNamespace(namespace_id));
  }
  BS_TRY(auto live, LiveOnly(db, recs, m_last_block));
  auto names = std::make_shared<std::vector<std::string>>(std::move(live));
  std::shared_ptr<const std::vector<std::string>> out = std::move(names);
  m_live.emplace(namespace_id, out);
  return out;
}

}  // namespace blockstack::api

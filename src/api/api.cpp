#include <api/api.h>
#include <api/name_entry.h>

#include <chrono>
#include <map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <bitcoin/address.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <bns/pricing.h>
#include <bns/records_json.h>
#include <subdomain/record.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <util/json_text.h>
#include <util/text.h>
#include <zonefile/zonefile.h>

namespace blockstack::api {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr uint32_t NAMES_PER_PAGE = 100;
constexpr uint32_t HISTORY_PER_PAGE = 20;
constexpr const char* NO_SUBDOMAIN_INDEX = "Subdomains are not indexed on this node (Atlas is off)";
// A zone file as JSON text (escaped) or base64 fits in twice its size; Atlas
// requests are bounded by the peer protocol's own limit.
constexpr std::size_t MAX_ZONEFILE_POST_BODY = 2 * atlas::MAX_ZONEFILE_BYTES;
constexpr std::size_t MAX_POST_BODY = atlas::MAX_REQUEST_BYTES;

net::Response Error(unsigned status, const std::string& message) { return net::Response::Json(status, {{"error", message}}); }

net::Response Ok(const json& body) { return net::Response::Json(200, body); }

net::Response Backend(const util::Error& e) {
  // Answers that wait for the node to reach the chain's tip (name histories, lookups
  // by zone-file hash or consensus hash) say so.
  if (e.code == util::ErrorCode::Unavailable) return Error(503, e.message);
  spdlog::warn("api: {}", e.message);
  return Error(502, "Failed to read the name database");
}

// posixpath.normpath: empty and "." segments drop out, ".." pops one.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(pos, slash - pos);
    if (part == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!part.empty() && part != ".") {
      out.push_back(std::move(part));
    }
    pos = slash + 1;
  }
  return out;
}

std::optional<uint32_t> ParseUint(const std::string& text) {
  auto v = util::ParseDecimal(text, UINT32_MAX, 10);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

bool IsHash40(const std::string& s) { return s.size() == 40 && util::IsHex(s); }

bool Truthy(const std::map<std::string, std::string>& query, const char* key) {
  auto it = query.find(key);
  return it != query.end() && (it->second == "true" || it->second == "1");
}

// Whether a zone file can be given as JSON text: UTF-8 that reads as a zone file,
// or a legacy profile (a JSON object), as the original's decode_name_zonefile.
bool IsStandardZonefile(const std::string& text) {
  if (!util::IsValidUtf8(text)) return false;
  if (zonefile::ParseZonefile(text)) return true;
  const json legacy = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return legacy.is_object();
}

// /v1/names/{name}/zonefile without raw=1: the zone file as JSON text, or, for
// one that is not standard, the original's answer (200 with an error for the
// current zone file; 204 for one asked for by hash).
net::Response ZonefileAnswer(const std::string& text, bool by_hash) {
  if (IsStandardZonefile(text)) return Ok({{"zonefile", text}});
  if (by_hash) return net::Response::Text(204, "");
  return Ok({{"error", "Non-standard zone file.  Try passing raw=1 to get the raw zone file."}});
}

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
    : m_settings(std::move(settings)), m_zonefiles(zonefiles), m_cache(m_settings.cache_entries) {
  m_metrics.Describe("api_requests_total", "API requests answered, by route and status", "counter");
  m_metrics.Describe("api_request_duration_seconds", "Time to answer an API request, by route", "histogram");
  m_metrics.Describe("blockstack_blocks_processed_total", "Blocks indexed since start", "counter");
  m_metrics.Describe("blockstack_ops_total", "Name operations by type and outcome", "counter");
  m_metrics.Describe("blockstack_last_block", "Last indexed block", "gauge");
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
  return api;
}

net::ServerOptions Api::ServerOptions() const {
  net::ServerOptions options;
  options.max_body_bytes = MAX_POST_BODY;
  options.max_header_bytes = 8 * 1024;
  // Reads are answered on the network threads: the database's pages are in the
  // page cache in steady state, and a hand-off to workers costs more than a read.
  return options;
}

void Api::OnBlock(uint32_t height) {
  m_last_block = height;
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
  m_metrics.Set("blockstack_last_block", {}, height);
  Lease lease(*this);
  auto db = lease.Get();
  if (!db) return;
  auto ops = (*db)->OpsAt(height);
  if (!ops) return;
  for (const auto& op : *ops) {
    m_metrics.Add("blockstack_ops_total", {{"opcode", op.opcode}, {"result", op.accepted ? "accepted" : "rejected"}});
  }
}

void Api::OnChainTip(uint32_t height, bool indexing) {
  m_last_seen = height;
  m_indexing = indexing;
}

net::Response Api::Handle(const net::Request& req) {
  auto start = std::chrono::steady_clock::now();
  std::string route = "other";
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
                     !req.path.starts_with("/v1/ping") && !req.path.starts_with("/v1/atlas/") && req.path != "/metrics";
    std::string key = req.method + " " + req.target;
    uint64_t generation = m_generation;
    std::optional<std::pair<uint64_t, net::Response>> hit;
    if (cacheable) hit = m_cache.Get(key);
    if (hit && hit->first == generation) {
      res = std::move(hit->second);
      route = "cached";
    } else {
      try {
        if (req.path.starts_with("/v1/atlas/")) {
          route = "atlas";
          res = m_atlas ? m_atlas->Handle(req) : Error(404, "Atlas is off on this node");
        } else {
          Lease lease(*this);
          auto db = lease.Get();
          res = db ? Route(req, **db, route) : Backend(db.error());
        }
      } catch (const std::exception& e) {
        spdlog::error("api: {} {}: {}", req.method, req.target, e.what());
        res = Error(500, "Internal error");
      }
      res.With("Access-Control-Allow-Origin", "*");
      if (cacheable && res.status < 500) m_cache.Put(key, {generation, res});
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m_metrics.Add("api_requests_total", {{"route", route}, {"status", std::to_string(res.status)}});
  m_metrics.Observe("api_request_duration_seconds", {{"route", route}}, seconds);
  return res;
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

std::optional<net::Response> Api::NameFromMemory(const net::Request& req) {
  if (!m_mirror || (req.method != "GET" && req.method != "HEAD") || !req.path.starts_with("/v1/names/")) {
    return std::nullopt;
  }
  auto seg = Segments(req.path);
  if (seg.size() != 3 || seg[0] != "v1" || seg[1] != "names" || req.repeated_query_key) return std::nullopt;
  const std::string& fqn = seg[2];
  if (!bns::IsNameValid(fqn)) return std::nullopt;  // the database path answers the error
  if (!m_mirror->Current()) return std::nullopt;
  const uint32_t last = m_last_block;
  std::optional<bns::db::NameLookup> rec;
  bns::NameStatus st;
  m_mirror->Read([&](const bns::db::NameTable& table, const bns::db::NamespaceMap& namespaces) {
    std::string_view entry = table.Find(fqn);
    if (entry.empty()) return;
    rec = DecodeNameEntry(entry.data());
    auto ns = namespaces.find(rec->namespace_id);
    if (ns == namespaces.end()) {
      rec.reset();
      return;
    }
    st = bns::StatusAt(rec->first_registered, rec->last_renewed, ns->second, last, m_settings.rules.epochs,
                       m_settings.rules.namespace_reveal_expire);
  });
  if (!rec) return net::Response::Json(404, {{"status", "available"}});
  if (!st.live) return Error(404, "Name has expired");
  return NameAnswer(*rec, st);
}

net::Response Api::NameAnswer(const bns::db::NameLookup& rec, const bns::NameStatus& st) {
  std::optional<std::string> zf;
  if (rec.value_hash) {
    auto got = m_zonefiles.Get(*rec.value_hash);
    if (!got) return Backend(got.error());
    zf = std::move(*got);
  }
  // nlohmann refuses to write a string that is not UTF-8; so does this route.
  if (zf && !util::IsValidUtf8(*zf)) return Error(500, "Internal error");
  util::JsonText out(256 + (zf ? zf->size() : 0));
  out.Key("address").String(rec.address);
  out.Key("blockchain").String("bitcoin");
  out.Key("expire_block").Signed(st.expire_block);
  out.Key("grace_period").Bool(st.in_grace);
  out.Key("last_txid").String(rec.txid);
  out.Key("renewal_deadline").Signed(st.renewal_deadline);
  out.Key("resolver").Null();
  out.Key("status").String(rec.revoked ? "revoked" : "registered");
  out.Key("zonefile").Optional(zf);
  out.Key("zonefile_hash").Optional(rec.value_hash);
  net::Response res;
  res.body = std::move(out).Finish();
  res.headers.emplace_back("Content-Type", "application/json");
  return res;
}

net::Response Api::SubdomainRoute(const net::Request& req, const std::vector<std::string>& seg, std::string& route) {
  const std::size_t n = seg.size();
  route = n == 3 ? "subdomain" : "subdomain_" + seg[3];
  if (n > 4 || (n == 4 && seg[3] != "zonefile" && seg[3] != "history")) return net::Response::Text(404, "Not found");
  if (n == 4 && seg[3] == "history") {
    auto history = m_subdomains->History(seg[2]);
    if (!history) return Backend(history.error());
    if (history->empty()) return Error(404, "Not found");
    // As the original: by block, each record with its zone file in base64.
    json out = json::object();
    for (const auto& h : *history) {
      out[std::to_string(h.block_height)].push_back({{"address", h.owner},
                                                     {"block_number", h.block_height},
                                                     {"domain", h.domain},
                                                     {"name", h.fqn},
                                                     {"sequence", h.seqn},
                                                     {"txid", h.txid},
                                                     {"value_hash", h.zonefile_hash},
                                                     {"zonefile", util::EncodeBase64(util::AsBytes(h.zonefile))}});
    }
    return Ok(out);
  }
  auto got = m_subdomains->Lookup(seg[2]);
  if (!got) return Backend(got.error());
  if (!*got) {
    if (n == 4) return Error(404, "No zone file for name");
    return net::Response::Json(404, {{"status", "available"}});
  }
  const subdomain::SubdomainState& sub = **got;
  if (n == 4) {
    if (Truthy(req.query, "raw")) return net::Response::Text(200, sub.zonefile, "application/octet-stream");
    return ZonefileAnswer(sub.zonefile, /*by_hash=*/false);
  }
  // nlohmann refuses to write a string that is not UTF-8; so does this route.
  if (!util::IsValidUtf8(sub.zonefile)) return Error(500, "Internal error");
  return Ok({{"address", sub.owner},
             {"blockchain", "bitcoin"},
             {"domain", sub.domain},
             {"last_txid", sub.txid},
             {"resolver", sub.resolver ? json(*sub.resolver) : json(nullptr)},
             {"sequence", sub.seqn},
             {"status", "registered_subdomain"},
             {"zonefile", sub.zonefile},
             {"zonefile_hash", sub.zonefile_hash}});
}

net::Response Api::Route(const net::Request& req, bns::db::NameDb& db, std::string& route) {
  auto seg = Segments(req.path);
  const std::size_t n = seg.size();
  auto is = [&](std::initializer_list<const char*> parts) {
    if (n < parts.size()) return false;
    std::size_t i = 0;
    for (const char* p : parts) {
      if (*p != '*' && seg[i] != p) return false;
      ++i;
    }
    return true;
  };

  if (req.method == "OPTIONS" && n >= 1 && (seg[0] == "v1" || seg[0] == "v2")) {
    route = "options";
    net::Response res;
    res.status = 200;
    res.With("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE")
        .With("Access-Control-Allow-Headers", "content-type, authorization, range")
        .With("Access-Control-Max-Age", "21600");
    return res;
  }
  if (req.repeated_query_key) return Error(400, "Invalid query string: repeated key");
  if (req.method == "GET" && n == 1 && seg[0] == "metrics") {
    route = "metrics";
    return net::Response::Text(200, m_metrics.Render(), "text/plain; version=0.0.4");
  }


  const uint32_t last = m_last_block;
  const auto& epochs = m_settings.rules.epochs;

  // The name's record if it is live now; an error answer otherwise.
  auto live_name = [&](const std::string& fqn, bool* expired) -> util::Result<std::optional<bns::NameRecord>> {
    *expired = false;
    BS_TRY(auto rec, db.GetName(fqn));
    if (!rec) return rec;
    BS_TRY(auto ns, db.GetNamespace(rec->namespace_id));
    if (!ns) return std::optional<bns::NameRecord>{};
    auto st = bns::StatusAt(*rec, *ns, last, epochs, m_settings.rules.namespace_reveal_expire);
    if (!st.live) {
      *expired = true;
      return std::optional<bns::NameRecord>{};
    }
    return rec;
  };
  auto page_of = [&](bool required) -> std::optional<uint32_t> {
    auto it = req.query.find("page");
    if (it == req.query.end()) return required ? std::nullopt : std::optional<uint32_t>(0);
    return ParseUint(it->second);
  };
  auto zonefile_text = [&](const std::optional<std::string>& hash) -> util::Result<std::optional<std::string>> {
    if (!hash) return std::optional<std::string>{};
    return m_zonefiles.Get(*hash);
  };

  if (req.method == "POST" && n == 2 && seg[0] == "v1" && seg[1] == "zonefile") {
    route = "post_zonefile";
    if (req.body.size() > MAX_ZONEFILE_POST_BODY) return Error(413, "Request too large");
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return Error(400, "Invalid request");
    std::string text;
    if (body.contains("zonefile") && body["zonefile"].is_string()) {
      text = body["zonefile"].get<std::string>();
    } else if (body.contains("zonefile_b64") && body["zonefile_b64"].is_string()) {
      auto raw = util::DecodeBase64(body["zonefile_b64"].get<std::string>());
      if (!raw) return Error(400, "Invalid request");
      text.assign(raw->begin(), raw->end());
    } else {
      return Error(400, "Invalid request");
    }
    if (text.size() > atlas::MAX_ZONEFILE_BYTES) return Error(400, "Invalid request");
    std::string url;
    {
      std::lock_guard lock(m_pool_mutex);
      url = m_settings.public_url;
    }
    if (m_atlas) {
      auto stored = m_atlas->Store(text);
      if (!stored && stored.error().code == util::ErrorCode::NotFound)
        return Error(400, "Blockstack node did not save the zone file");
      if (!stored) return Backend(stored.error());
      return Ok({{"status", true}, {"servers", json::array({url})}});
    }
    auto known = db.IsValueHashKnown(atlas::ZonefileHash(text));
    if (!known) return Backend(known.error());
    if (!*known) return Error(400, "Blockstack node did not save the zone file");
    auto stored = m_zonefiles.Put(text);
    if (!stored) return Backend(stored.error());
    if (*stored) {
      ++m_generation;
      if (m_on_stored) m_on_stored(atlas::ZonefileHash(text));
    }
    return Ok({{"status", true}, {"servers", json::array({url})}});
  }
  if (req.method != "GET" && req.method != "HEAD") return net::Response::Text(404, "Not found");

  if ((n == 3 && is({"v1", "node", "ping"})) || (n == 2 && is({"v1", "ping"}))) {
    route = "ping";
    return Ok({{"status", "alive"}, {"version", m_settings.version}});
  }
  if (n == 2 && is({"v1", "info"})) {
    route = "info";
    auto snap = db.SnapshotAt(last);
    if (!snap) return Backend(snap.error());
    auto count = m_zonefiles.Count();
    uint32_t seen = std::max<uint32_t>(m_last_seen, last);
    ordered_json out;
    out["consensus"] = *snap ? json((*snap)->consensus_hash) : json(nullptr);
    out["first_block"] = m_settings.rules.first_block;
    out["indexing"] = m_indexing.load() && seen > last;
    out["last_block_processed"] = last;
    out["last_block_seen"] = seen;
    out["server_alive"] = true;
    out["server_version"] = m_settings.version;
    out["testnet"] = m_settings.rules.network != bitcoin::Network::Mainnet;
    if (count) out["zonefile_count"] = *count;
    if (m_atlas) {
      auto st = m_atlas->Stats();
      out["zonefiles_present"] = st.present;
      out["zonefiles_missing"] = st.missing;
      out["atlas_peers"] = st.peers;
    }
    return Ok(json::parse(out.dump()));
  }
  if (n == 2 && is({"v1", "names"})) {
    route = "names";
    auto it = req.query.find("page");
    if (it == req.query.end()) return Error(400, "page= argument required");
    auto page = ParseUint(it->second);
    if (!page) return Error(400, "Invalid page= value");
    if (Truthy(req.query, "all")) {
      auto recs = db.AllNames(*page * NAMES_PER_PAGE, NAMES_PER_PAGE);
      if (!recs) return Backend(recs.error());
      json out = json::array();
      for (const auto& r : *recs) out.push_back(r.name);
      return Ok(out);
    }
    auto names = LiveNames(db, "");
    if (!names) return Backend(names.error());
    json out = json::array();
    const auto& list = **names;
    for (std::size_t i = std::size_t{*page} * NAMES_PER_PAGE; i < list.size() && out.size() < NAMES_PER_PAGE; ++i) {
      out.push_back(list[i]);
    }
    return Ok(out);
  }
  if (n == 2 && is({"v1", "subdomains"})) {
    route = "subdomains";
    auto page = page_of(true);
    if (!page) return Error(400, req.query.count("page") ? "Invalid page= value" : "page= argument required");
    if (!m_subdomains) return Error(404, NO_SUBDOMAIN_INDEX);
    auto names = m_subdomains->Names(uint64_t{*page} * NAMES_PER_PAGE, NAMES_PER_PAGE);
    if (!names) return Backend(names.error());
    return Ok(*names);
  }
  if (n >= 3 && is({"v1", "names", "*"})) {
    const std::string& fqn = seg[2];
    if (!bns::IsNameValid(fqn)) {
      if (m_subdomains && subdomain::SplitSubdomainName(fqn)) return SubdomainRoute(req, seg, route);
      return Error(400, "Invalid name or subdomain");
    }
    if (n == 3) {
      route = "name";
      // The hot route: read only the fields it answers with and write the JSON
      // directly (same bytes as building it with nlohmann).
      auto rec = db.GetNameLookup(fqn);
      if (!rec) return Backend(rec.error());
      if (!*rec) return net::Response::Json(404, {{"status", "available"}});
      auto ns = db.GetNamespace((*rec)->namespace_id);
      if (!ns) return Backend(ns.error());
      if (!*ns) return net::Response::Json(404, {{"status", "available"}});
      auto st = bns::StatusAt((*rec)->first_registered, (*rec)->last_renewed, **ns, last, epochs,
                              m_settings.rules.namespace_reveal_expire);
      if (!st.live) return Error(404, "Name has expired");
      return NameAnswer(**rec, st);
    }
    if (n == 4 && seg[3] == "history") {
      route = "name_history";
      auto page = page_of(false);
      if (!page) return Error(400, "Invalid page");
      auto rows = db.History(fqn, *page, HISTORY_PER_PAGE);
      if (!rows) return Backend(rows.error());
      if (rows->empty() && *page == 0) return Error(404, "Not found");
      json out = json::object();
      // Newest first across heights; each height's list in transaction order.
      for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
        json entry = json::parse(it->data, nullptr, false);
        if (!entry.is_object()) entry = json::object();
        entry["opcode"] = it->opcode;
        entry["txid"] = it->txid;
        entry["vtxindex"] = it->vtxindex;
        entry["block_number"] = it->block_id;
        out[std::to_string(it->block_id)].push_back(entry);
      }
      return Ok(out);
    }
    if ((n == 4 || n == 5) && seg[3] == "zonefile") {
      route = "name_zonefile";
      bool expired = false;
      auto rec = live_name(fqn, &expired);
      if (!rec) return Backend(rec.error());
      if (!*rec) return Error(404, "No zone file for name");
      std::optional<std::string> hash = (*rec)->value_hash;
      if (n == 5) {
        if (!IsHash40(seg[4])) return Error(400, "Invalid zone file hash");
        if (auto ready = db.RequireHistoryIndex(); !ready) return Backend(ready.error());
        auto hashes = db.NameValueHashes(fqn);
        if (!hashes) return Backend(hashes.error());
        if (std::find(hashes->begin(), hashes->end(), seg[4]) == hashes->end()) return Error(404, "No such zonefile");
        hash = seg[4];
      }
      auto zf = zonefile_text(hash);
      if (!zf) return Backend(zf.error());
      if (!*zf) return Error(404, n == 5 ? "No such zonefile" : "No zone file for name");
      if (Truthy(req.query, "raw")) return net::Response::Text(200, **zf, "application/octet-stream");
      return ZonefileAnswer(**zf, /*by_hash=*/n == 5);
    }
    return net::Response::Text(404, "Not found");
  }
  if (n == 3 && is({"v1", "zonefiles", "*"})) {
    route = "zonefile";
    if (!IsHash40(seg[2])) return Error(400, "Invalid zone file hash");
    auto zf = m_zonefiles.Get(seg[2]);
    if (!zf) return Backend(zf.error());
    if (!*zf) return Error(404, "No such zone file");
    return net::Response::Text(200, **zf, "application/octet-stream");
  }
  if (n == 4 && (seg[0] == "v1" || seg[0] == "v2") && seg[1] == "prices") {
    const auto& rules = epochs.At(last + 1);
    if (seg[2] == "names") {
      route = "name_price";
      const std::string& fqn = seg[3];
      if (!bns::IsNameValid(fqn)) return Error(400, "Invalid name");
      auto dot = fqn.rfind('.');
      auto ns = db.GetNamespace(fqn.substr(dot + 1));
      if (!ns) return Backend(ns.error());
      if (!*ns) return Error(404, "No such namespace");
      std::string label = fqn.substr(0, dot);
      ordered_json price;
      if ((*ns)->version == bns::NAMESPACE_VERSION_PAY_WITH_STACKS) {
        price["amount"] = bns::PriceNameStacks(label, (*ns)->Pricing(), rules).ToDecimal();
        price["units"] = "STACKS";
      } else {
        auto p = bns::PriceName(label, (*ns)->Pricing(), rules);
        price["amount"] = std::to_string(p.Ceil());
        price["units"] = "BTC";
        price["satoshis"] = p.Ceil();
      }
      return Ok(json::parse(ordered_json{{"name_price", price}}.dump()));
    }
    if (seg[2] == "namespaces") {
      route = "namespace_price";
      if (!bns::IsNamespaceIdValid(seg[3])) return Error(400, "Invalid namespace");
      auto p = bns::PriceNamespaceBtc(seg[3], rules, m_settings.rules.test_mode);
      if (!p) return Error(400, "Invalid namespace");
      return Ok({{"amount", std::to_string(p->Ceil())}, {"units", "BTC"}, {"satoshis", p->Ceil()}});
    }
  }
  if (n >= 2 && is({"v1", "namespaces"})) {
    if (n == 2) {
      route = "namespaces";
      auto all = db.AllNamespaces();
      if (!all) return Backend(all.error());
      json ids = json::array();
      for (const auto& ns : *all) {
        if (ns.IsReady()) ids.push_back(ns.namespace_id);
      }
      return Ok({{"namespaces", ids}});
    }
    const std::string& id = seg[2];
    if (!bns::IsNamespaceIdValid(id)) return Error(400, "Invalid namespace");
    auto ns = db.GetNamespace(id);
    if (!ns) return Backend(ns.error());
    if (!*ns) return Error(404, "No such namespace");
    if (n == 3) {
      route = "namespace";
      json out = bns::ToJson(**ns);
      out.erase("import_key");
      out["ready"] = (*ns)->IsReady();
      return Ok(out);
    }
    if (n == 4 && (seg[3] == "names" || seg[3] == "name_count")) {
      auto names = LiveNames(db, id);
      if (!names) return Backend(names.error());
      const auto& list = **names;
      if (seg[3] == "name_count") {
        route = "namespace_name_count";
        return Ok({{"names_count", list.size()}});
      }
      route = "namespace_names";
      auto page = page_of(true);
      if (!page) return Error(400, "Invalid page");
      json out = json::array();
      for (std::size_t i = std::size_t{*page} * NAMES_PER_PAGE; i < list.size() && out.size() < NAMES_PER_PAGE; ++i) {
        out.push_back(list[i]);
      }
      return Ok(out);
    }
    return net::Response::Text(404, "Not found");
  }
  if (n == 4 && is({"v1", "addresses"})) {
    route = "address_names";
    if (seg[2] != "bitcoin") return Error(404, "Unsupported blockchain");
    if (!bitcoin::DecodeAddress(seg[3])) return Error(400, "Invalid address");
    auto recs = db.NamesOwnedByAddress(seg[3], m_settings.rules.Net());
    if (!recs) return Backend(recs.error());
    auto names = LiveOnly(db, *recs, last);
    if (!names) return Backend(names.error());
    if (m_subdomains) {
      auto subdomains = m_subdomains->NamesOwnedBy(seg[3]);
      if (!subdomains) return Backend(subdomains.error());
      names->insert(names->end(), subdomains->begin(), subdomains->end());
    }
    return Ok({{"names", *names}});
  }
  if (n >= 4 && is({"v1", "blockchains"})) {
    if (seg[2] != "bitcoin") return Error(404, "Unsupported blockchain");
    const std::string& what = seg[3];
    if (what == "consensus" && (n == 4 || n == 5)) {
      route = "consensus";
      uint32_t h = last;
      if (n == 5) {
        auto parsed = ParseUint(seg[4]);
        if (!parsed) return Error(400, "Invalid block");
        h = *parsed;
      }
      auto ch = db.ConsensusHashAt(h);
      if (!ch) return Backend(ch.error());
      return Ok({{"consensus_hash", *ch ? json(**ch) : json(nullptr)}});
    }
    if (what == "consensus-block" && n == 5) {
      route = "consensus_block";
      auto h = db.HeightOfConsensusHash(seg[4], last);
      if (!h) return Backend(h.error());
      if (!*h) return Error(404, "No block for this consensus hash");
      return Ok({{"block_height", **h}});
    }
    if (what == "name_count" && n == 4) {
      route = "name_count";
      if (Truthy(req.query, "all")) {
        auto count = db.NameRowCount();
        if (!count) return Backend(count.error());
        return Ok({{"names_count", *count}});
      }
      auto names = LiveNames(db, "");
      if (!names) return Backend(names.error());
      return Ok({{"names_count", (*names)->size()}});
    }
    if (what == "subdomains_count" && n == 4) {
      route = "subdomains_count";
      if (!m_subdomains) return Error(404, NO_SUBDOMAIN_INDEX);
      auto count = m_subdomains->Count();
      if (!count) return Backend(count.error());
      return Ok({{"names_count", *count}});
    }
    if (what == "operations" && n == 5) {
      route = "operations";
      auto h = ParseUint(seg[4]);
      if (!h) return Error(400, "Invalid block");
      auto ops = db.OpsAt(*h);
      if (!ops) return Backend(ops.error());
      json out = json::array();
      for (const auto& op : *ops) {
        if (!op.accepted) continue;
        out.push_back({{"opcode", op.opcode}, {"txid", op.txid}, {"vtxindex", op.vtxindex}, {"block_number", *h}});
      }
      return Ok(out);
    }
    if (what == "names" && n == 5) {
      route = "name_record";
      if (!bns::IsNameValid(seg[4])) return Error(400, "Invalid name");
      auto rec = db.GetName(seg[4]);
      if (!rec) return Backend(rec.error());
      if (!*rec) return Error(404, "No such name");
      return Ok(bns::ToJson(**rec));
    }
    return net::Response::Text(404, "Not found");
  }
  if (n >= 3 && is({"v1", "accounts"})) {
    // STACKS accounts: without genesis data every account is absent (doc/bns.md).
    route = "accounts";
    if (n == 4 && seg[3] == "tokens") return Ok({{"tokens", json::array()}});
    if (n == 5 && seg[4] == "balance") return Ok({{"balance", "0"}});
    if (n == 5 && seg[4] == "status") return Error(404, "No such account");
    if ((n == 4 || n == 5) && seg[3] == "history") return Ok(json::array());
    return net::Response::Text(404, "Not found");
  }
  return net::Response::Text(404, "Not found");
}

}  // namespace blockstack::api

// The server side of the Atlas peer protocol (spec atlas.md §1.5, doc/atlas.md):
// the routes under /v1/atlas/ that the node mounts on its HTTP server.
#include <atlas/atlas_node.h>

#include <algorithm>
#include <bit>

#include <util/base64.h>
#include <util/bytes.h>
#include <util/text.h>

namespace blockstack::atlas {

namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

net::Response Error(unsigned status, const std::string& message) {
  return net::Response::Json(status, {{"error", message}, {"http_status", status}});
}

// The body as a JSON object; otherwise the message of a 400 (or 413) answer.
util::Result<json> ObjectBody(const std::string& body) {
  if (body.size() > MAX_REQUEST_BYTES) return Fail(ErrorCode::TooLarge, "Request too large");
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Fail(ErrorCode::InvalidArgument, "Invalid JSON body");
  return doc;
}

// The array under key in a JSON object body, with at most max entries.
util::Result<json> ArrayInBody(const std::string& body, const std::string& key, std::size_t max) {
  auto doc = ObjectBody(body);
  if (!doc && doc.error().code == ErrorCode::TooLarge) return doc;
  if (!doc || !doc->contains(key) || !(*doc)[key].is_array())
    return Fail(ErrorCode::InvalidArgument, "Expected {\"" + key + "\": [...]}");
  if ((*doc)[key].size() > max)
    return Fail(ErrorCode::InvalidArgument, "At most " + std::to_string(max) + " zone files per request");
  return std::move((*doc)[key]);
}

net::Response BodyError(const util::Error& e) { return Error(e.code == ErrorCode::TooLarge ? 413 : 400, e.message); }

bool IsLoopback(const std::string& ip) { return ip == "127.0.0.1" || ip == "::1" || ip.starts_with("::ffff:127."); }

std::string PortOf(const std::string& hostport) { return hostport.substr(hostport.rfind(':') + 1); }

}  // namespace

void AtlasNode::AddRoutes() {
  m_routes.SetFallback([](const net::Request&, unsigned status, const std::string& message) {
    return Error(status, status == 404 ? "No such Atlas method" : message);
  });
  m_routes.Add("GET", "/v1/atlas/ping", "atlas_ping", [this](const net::Request&, const net::PathParams&) {
    return net::Response::Json(200, {{"status", "alive"}, {"version", m_settings.version}});
  });
  m_routes.Add("GET", "/v1/atlas/info", "atlas_info",
               [this](const net::Request&, const net::PathParams&) { return ServeInfo(); });
  m_routes.Add("GET", "/v1/atlas/inventory", "atlas_inventory",
               [this](const net::Request& req, const net::PathParams&) { return ServeInventory(req); });
  m_routes.Add("POST", "/v1/atlas/peers", "atlas_peers",
               [this](const net::Request& req, const net::PathParams&) { return ServePeers(req); });
  m_routes.Add("POST", "/v1/atlas/zonefiles", "atlas_zonefiles",
               [this](const net::Request& req, const net::PathParams&) { return ServeZonefiles(req); });
  m_routes.Add("POST", "/v1/atlas/zonefiles/put", "atlas_put",
               [this](const net::Request& req, const net::PathParams&) { return ServePutZonefiles(req); });
  m_routes.Add("GET", "/v1/atlas/neighbors", "atlas_neighbors",
               [this](const net::Request&, const net::PathParams&) { return ServeNeighbors(); });
}

net::Response AtlasNode::ServeInfo() {
  auto last = m_index.LastBlock();
  if (!last) return Error(503, "Cannot read the name database");
  std::optional<std::string> consensus;
  if (*last) {
    auto ch = m_index.ConsensusHashAt(**last);
    if (ch) consensus = *ch;
  }
  auto st = Stats();
  return net::Response::Json(200, {{"status", true},
                                   {"server_alive", true},
                                   {"server_version", m_settings.version},
                                   {"network", m_settings.network},
                                   {"testnet", m_settings.network != "mainnet"},
                                   {"last_block_processed", *last ? **last : 0},
                                   {"last_block_seen", *last ? **last : 0},
                                   {"consensus", consensus ? json(*consensus) : json(nullptr)},
                                   {"zonefile_count", st.slots},
                                   {"zonefiles_present", st.present},
                                   {"zonefiles_missing", st.missing}});
}

net::Response AtlasNode::ServeInventory(const net::Request& req) {
  auto number = [&](const char* key, uint64_t fallback) -> std::optional<uint64_t> {
    auto it = req.query.find(key);
    if (it == req.query.end()) return fallback;
    return util::ParseDecimal(it->second, UINT64_MAX, 12);
  };
  auto offset = number("offset", 0);
  auto length = number("length", MAX_INVENTORY_REQUEST);
  if (!offset || !length || *length > MAX_INVENTORY_REQUEST)
    return Error(400, "offset and length must be byte counts, length at most " + std::to_string(MAX_INVENTORY_REQUEST));
  Inventory slice;
  {
    std::lock_guard lock(m_mutex);
    if (*offset < m_inventory.size()) {
      auto end = std::min<uint64_t>(m_inventory.size(), *offset + *length);
      slice.assign(m_inventory.begin() + static_cast<long>(*offset), m_inventory.begin() + static_cast<long>(end));
    }
  }
  return net::Response::Json(200, {{"status", true}, {"inv", util::EncodeBase64(slice)}});
}

net::Response AtlasNode::ServePeers(const net::Request& req) {
  auto doc = ObjectBody(req.body);
  if (!doc) return BodyError(doc.error());
  // The caller is who the socket says, on the port it names; only a loopback
  // caller may name another host (nodes share a machine only in tests).
  std::string caller;
  if (doc->contains("my_hostport") && (*doc)["my_hostport"].is_string()) {
    std::string named = (*doc)["my_hostport"].get<std::string>();
    if (!IsValidHostPort(named)) return Error(400, "my_hostport must be host:port");
    if (IsLoopback(req.remote_ip) || req.remote_ip.empty()) {
      caller = named;
    } else {
      std::string ip = req.remote_ip.find(':') != std::string::npos ? "[" + req.remote_ip + "]" : req.remote_ip;
      caller = ip + ":" + PortOf(named);
      if (!IsValidHostPort(caller)) caller.clear();
    }
  }
  if (!caller.empty()) Enqueue({caller});
  json peers = json::array();
  std::lock_guard lock(m_mutex);
  std::vector<std::string> healthy;
  for (const auto& [hp, p] : m_peers) {
    if (hp != caller && p.ever_ok && HealthLocked(p) >= MIN_PEER_HEALTH && Admissible(hp)) healthy.push_back(hp);
  }
  std::shuffle(healthy.begin(), healthy.end(), m_rng);
  if (healthy.size() > MAX_NEIGHBORS) healthy.resize(MAX_NEIGHBORS);
  for (auto& h : healthy) peers.push_back(std::move(h));
  return net::Response::Json(200, {{"status", true}, {"peers", peers}});
}

net::Response AtlasNode::ServeZonefiles(const net::Request& req) {
  auto listed = ArrayInBody(req.body, "zonefile_hashes", MAX_GET_ZONEFILES);
  if (!listed) return BodyError(listed.error());
  const json& hashes = *listed;
  for (const auto& h : hashes) {
    if (!h.is_string() || !util::IsHash160Hex(h.get<std::string>())) return Error(400, "Invalid zone file hash");
  }
  std::vector<std::pair<const std::string*, std::string>> found;
  std::size_t total = 0;
  for (const auto& h : hashes) {
    auto bytes = m_store.Get(h.get_ref<const std::string&>());
    if (!bytes) return Error(503, "Cannot read the zone file store");
    if (!*bytes) continue;
    total += (*bytes)->size() + 24;
    found.emplace_back(&h.get_ref<const std::string&>(), std::move(**bytes));
  }
  // Binary frames when the caller asks for them (doc/atlas.md), JSON otherwise.
  if (req.Header("accept") == ZONEFILE_FRAMES_TYPE) {
    std::string frames;
    frames.reserve(total);
    for (const auto& [h, bytes] : found) AppendZonefileFrame(frames, *h, bytes);
    return net::Response::Text(200, std::move(frames), ZONEFILE_FRAMES_TYPE);
  }
  json files = json::object();
  for (const auto& [h, bytes] : found) files[*h] = util::EncodeBase64(util::AsBytes(bytes));
  return net::Response::Json(200, {{"status", true}, {"zonefiles", files}});
}

net::Response AtlasNode::ServePutZonefiles(const net::Request& req) {
  auto listed = ArrayInBody(req.body, "zonefile_datas", MAX_PUT_ZONEFILES);
  if (!listed) return BodyError(listed.error());
  std::vector<std::string> files;
  for (const auto& d : *listed) {
    if (!d.is_string() || d.get_ref<const std::string&>().size() > (4 * MAX_ZONEFILE_BYTES) / 3 + 3)
      return Error(400, "Zone file data must be base64 of at most " + std::to_string(MAX_ZONEFILE_BYTES) + " bytes");
    auto raw = util::DecodeBase64(d.get<std::string>());
    if (!raw || raw->size() > MAX_ZONEFILE_BYTES) return Error(400, "Invalid zone file data");
    files.emplace_back(raw->begin(), raw->end());
  }
  auto saved = StoreMany(std::move(files));
  if (!saved) return Error(503, "Cannot write the zone file store");
  json out = json::array();
  for (bool s : *saved) out.push_back(s ? 1 : 0);
  return net::Response::Json(200, {{"status", true}, {"saved", out}});
}

net::Response AtlasNode::ServeNeighbors() {
  json peers = json::array();
  std::lock_guard lock(m_mutex);
  for (const auto& [hp, p] : m_peers) {
    uint64_t advertised = 0;
    for (uint8_t b : p.inventory) advertised += static_cast<uint64_t>(std::popcount(b));
    peers.push_back({{"hostport", hp},
                     {"health", HealthLocked(p)},
                     {"seed", p.seed},
                     {"responses", p.window.size()},
                     {"bad_zonefiles", p.bad_files},
                     {"inventory_bits", advertised}});
  }
  json banned = json::array();
  for (const auto& [hp, until] : m_banned) banned.push_back(hp);
  return net::Response::Json(200, {{"status", true}, {"self", m_settings.self}, {"peers", peers}, {"banned", banned}});
}

}  // namespace blockstack::atlas

// The node's own routes: CORS preflight, ping, /v1/info and /metrics.
#include <api/api.h>
#include <api/detail/answers.h>

namespace blockstack::api {

using detail::Backend;
using detail::Ok;
using nlohmann::json;
using nlohmann::ordered_json;

void Api::AddNodeRoutes() {
  for (const char* pattern : {"/v1", "/v1/{path...}", "/v2", "/v2/{path...}"}) {
    AddPlain("OPTIONS", pattern, "options", &Api::Preflight);
  }
  AddPlain("GET", "/v1/ping", "ping", &Api::Ping);
  AddPlain("GET", "/v1/node/ping", "ping", &Api::Ping);
  AddPlain("GET", "/metrics", "metrics", &Api::MetricsText);
  AddDb("GET", "/v1/info", "info", &Api::Info);
}

net::Response Api::Preflight(const net::Request&, const Params&) {
  net::Response res;
  res.status = 200;
  res.With("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE")
      .With("Access-Control-Allow-Headers", "content-type, authorization, range")
      .With("Access-Control-Expose-Headers", "content-length, content-range")
      .With("Access-Control-Max-Age", "21600");
  return res;
}

net::Response Api::Ping(const net::Request&, const Params&) {
  return Ok({{"status", "alive"}, {"version", m_settings.version}});
}

net::Response Api::MetricsText(const net::Request&, const Params&) {
  // What an operator alerts on, read at scrape time: how far behind the Bitcoin
  // node's tip indexing is, and Atlas's peers and missing zone files.
  const uint32_t last = m_last_block;
  const uint32_t seen = std::max<uint32_t>(m_last_seen, last);
  m_metrics.Set("blockstack_bitcoin_tip", {}, seen);
  m_metrics.Set("blockstack_blocks_behind", {}, seen - last);
  if (m_atlas_counts) {
    auto st = m_atlas_counts();
    m_metrics.Set("atlas_peer_count", {}, static_cast<double>(st.peers));
    m_metrics.Set("atlas_zonefiles_missing", {}, static_cast<double>(st.missing));
    m_metrics.Set("atlas_zonefiles_present", {}, static_cast<double>(st.present));
  }
  return net::Response::Text(200, m_metrics.Render(), "text/plain; version=0.0.4");
}

net::Response Api::Info(const net::Request&, const Params&, bns::db::NameDb& db) {
  const uint32_t last = m_last_block;
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
  // As the original: the length of the zone-file inventory (one slot per
  // zone-file hash announced on chain, stored here or not); the store's own
  // count without Atlas.
  if (m_atlas_counts) {
    auto st = m_atlas_counts();
    out["zonefile_count"] = st.slots;
    out["zonefiles_present"] = st.present;
    out["zonefiles_missing"] = st.missing;
    out["atlas_peers"] = st.peers;
  } else if (count) {
    out["zonefile_count"] = *count;
  }
  if (count) out["zonefiles_stored"] = *count;
  return Ok(json::parse(out.dump()));
}

}  // namespace blockstack::api

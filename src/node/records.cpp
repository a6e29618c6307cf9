#include <node/records.h>

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <crypto/hash.h>
#include <dht/records.h>
#include <net/http_client.h>
#include <util/url.h>

namespace blockstack::node {

namespace {

std::string Hash160Hex(std::string_view data) { return crypto::Hash160Of(util::AsBytes(data)).Hex(); }

net::Response JsonError(unsigned status, const std::string& message) {
  return net::Response::Json(status, {{"error", message}});
}

}  // namespace

RecordSources::RecordSources(atlas::ZonefileStore& store, dht::DhtNode* dht, atlas::AtlasNode* atlas,
                             std::vector<std::string> mirrors)
    : m_store(store), m_dht(dht), m_atlas(atlas), m_mirrors(std::move(mirrors)) {
  AddRoutes();
}

RecordSources::~RecordSources() { Stop(); }

std::optional<RecordSources::Found> RecordSources::Fetch(const std::string& hash_hex, bool ask_atlas) {
  if (!util::IsHash160Hex(hash_hex)) return std::nullopt;
  auto local = m_store.Get(hash_hex);
  if (local && *local) {
    spdlog::debug("record {}: local store", hash_hex);
    return Found{std::move(**local), "local"};
  }
  for (const auto& mirror : m_mirrors) {
    std::string url = mirror;
    if (auto at = url.find("{hash}"); at != std::string::npos) url.replace(at, 6, hash_hex);
    else url += (url.ends_with('/') ? "" : "/") + hash_hex;
    auto parsed = util::ParseUrl(url);
    if (!parsed) continue;
    net::HttpClientOptions options;
    options.timeout = std::chrono::seconds(5);
    options.peer_name = "mirror";
    options.max_response_bytes = dht::MAX_RECORD_BYTES;
    auto client = net::HttpClient::Create(parsed->Origin(), options);
    if (!client) continue;
    auto res = (*client)->Send("GET", parsed->target);
    if (!res || res->status != 200) {
      spdlog::debug("record {}: mirror {} has none", hash_hex, parsed->Origin());
      continue;
    }
    if (Hash160Hex(res->body) != hash_hex) {
      spdlog::warn("record {}: mirror {} served bytes that do not match; ignored", hash_hex, parsed->Origin());
      continue;
    }
    spdlog::debug("record {}: mirror {}", hash_hex, parsed->Origin());
    return Found{std::move(res->body), mirror};
  }
  if (m_atlas && ask_atlas) {
    std::string peer;
    if (auto text = m_atlas->FetchFromPeers(hash_hex, &peer)) {
      spdlog::debug("record {}: Atlas peer {}", hash_hex, peer);
      return Found{std::move(*text), "atlas:" + peer};
    }
    spdlog::debug("record {}: no Atlas peer has it", hash_hex);
  }
  if (m_dht) {
    auto got = m_dht->Get(hash_hex);
    if (got && *got) {
      spdlog::debug("record {}: DHT", hash_hex);
      return Found{std::move(**got), "dht"};
    }
    spdlog::debug("record {}: not in the DHT", hash_hex);
  }
  return std::nullopt;
}

void RecordSources::Publish(std::string hash_hex) {
  if (!m_dht) return;
  {
    std::lock_guard lock(m_mutex);
    if (m_queue.size() >= 1000000) return;  // the worker is far behind; the next start republishes
    m_queue.push_back(std::move(hash_hex));
  }
  m_wake.notify_one();
}

void RecordSources::Start(std::chrono::milliseconds interval) {
  m_interval = interval;
  if (m_dht) {
    if (auto hashes = m_store.Hashes()) {
      for (const auto& h : *hashes) Publish(h);
    }
  }
  m_thread = std::thread([this] { Run(); });
}

void RecordSources::Stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void RecordSources::Run() {
  auto next_fill = std::chrono::steady_clock::now();
  for (;;) {
    std::string hash;
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait_until(lock, next_fill, [this] { return m_stop || !m_queue.empty(); });
      if (m_stop) return;
      if (!m_queue.empty()) {
        hash = std::move(m_queue.front());
        m_queue.pop_front();
      }
    }
    if (!hash.empty()) {
      auto text = m_store.Get(hash);
      if (text && *text) {
        if (auto put = m_dht->Put(**text); !put) spdlog::debug("dht: cannot publish {}: {}", hash, put.error().message);
      }
      if (std::chrono::steady_clock::now() < next_fill) continue;
    }
    next_fill = std::chrono::steady_clock::now() + m_interval;
    if (!m_atlas || (m_mirrors.empty() && !m_dht)) continue;
    for (const auto& missing : m_atlas->MissingHashes(100)) {
      {
        std::lock_guard lock(m_mutex);
        if (m_stop) return;
      }
      auto found = Fetch(missing, false);
      if (!found) continue;
      auto stored = m_atlas->Store(found->data);
      if (stored && *stored) spdlog::info("zone file {} found at {}", missing, found->source);
    }
  }
}

void RecordSources::AddRoutes() {
  m_routes.Add("POST", "/v1/dht/records", "dht_put", [this](const net::Request& req, const net::PathParams&) {
    if (!m_dht) return JsonError(503, "this node runs no DHT (--dht)");
    if (req.body.empty()) return JsonError(400, "empty record");
    auto put = m_dht->Put(req.body);
    if (!put) return JsonError(put.error().code == util::ErrorCode::TooLarge ? 413 : 503, put.error().message);
    return net::Response::Json(200, {{"hash", *put}});
  });
  m_routes.Add("GET", "/v1/dht/records/{hash}", "dht_get", [this](const net::Request&, const net::PathParams& p) {
    if (!util::IsHash160Hex(p["hash"])) return JsonError(400, "Invalid hash");
    auto found = Fetch(p["hash"]);
    if (!found) return JsonError(404, "No such record");
    auto res = net::Response::Text(200, found->data, "application/octet-stream");
    res.headers.emplace_back("X-Record-Source", found->source);
    return res;
  });
  m_routes.SetFallback([](const net::Request& req, unsigned status, const std::string& message) {
    if (req.method == "GET" && req.path.size() > std::string_view("/v1/dht/records/").size()) {
      return JsonError(400, "Invalid hash");
    }
    if (status == 404 || status == 405) {
      return JsonError(405, "use GET /v1/dht/records/{hash} or POST /v1/dht/records");
    }
    return JsonError(status, message);
  });
}

}  // namespace blockstack::node

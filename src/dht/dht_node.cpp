#include <dht/dht_node.h>

#include <future>
#include <mutex>
#include <thread>

#include <opendht.h>

#include <util/bytes.h>
#include <util/url.h>

namespace blockstack::dht {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr ::dht::ValueType::Id VALUE_TYPE = 0x5A5A;

::dht::InfoHash KeyOf(const std::string& hash_hex) { return ::dht::InfoHash(hash_hex); }

std::string Text(const ::dht::Blob& b) { return std::string(b.begin(), b.end()); }

}  // namespace

uint64_t NetworkIdFor(const std::string& network) {
  // "BSK" and a network number: distinct from OpenDHT's public network (0).
  if (network == "mainnet") return 0x42534B01;
  if (network == "testnet") return 0x42534B02;
  return 0x42534B03;
}

struct DhtNode::Impl {
  ::dht::DhtRunner runner;
  Hasher hash160;
  std::chrono::milliseconds timeout;

  // The values under a key (after the store policy of whoever held them). The
  // search stops early once a plain value that hashes to the key has arrived, or
  // enough values to find an honest copy among junk.
  std::vector<std::shared_ptr<::dht::Value>> Values(const std::string& hash_hex) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    auto found = std::make_shared<std::vector<std::shared_ptr<::dht::Value>>>();
    auto mutex = std::make_shared<std::mutex>();
    Hasher check = hash160;
    runner.get(
        KeyOf(hash_hex),
        [found, mutex, check, hash_hex](const std::vector<std::shared_ptr<::dht::Value>>& values) {
          std::lock_guard lock(*mutex);
          bool complete = false;
          for (const auto& v : values) {
            found->push_back(v);
            if (v && v->user_type.empty() && check(Text(v->data)) == hash_hex) complete = true;
          }
          return !complete && found->size() < 64;
        },
        [done](bool) { done->set_value(); });
    future.wait_for(timeout);
    std::lock_guard lock(*mutex);
    return *found;
  }

  // One chunk or whole record: the first value that hashes to the key.
  std::optional<std::string> Raw(const std::string& hash_hex) {
    for (const auto& v : Values(hash_hex)) {
      if (!v || !v->user_type.empty()) continue;
      std::string data = Text(v->data);
      if (hash160(data) == hash_hex) return data;
    }
    return std::nullopt;
  }

  bool PutValue(const std::string& hash_hex, std::string data, const std::string& user_type) {
    auto value = std::make_shared<::dht::Value>(VALUE_TYPE, ::dht::Blob(data.begin(), data.end()));
    value->user_type = user_type;
    // A node that has just joined may not know enough of the network for a put to
    // land: try again until the timeout.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto done = std::make_shared<std::promise<bool>>();
      auto future = done->get_future();
      runner.put(KeyOf(hash_hex), value, [done](bool ok) { done->set_value(ok); }, ::dht::time_point::max(), true);
      if (future.wait_until(deadline) != std::future_status::ready) return false;
      if (future.get()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
};

DhtNode::DhtNode(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

DhtNode::~DhtNode() { Stop(); }

util::Result<std::unique_ptr<DhtNode>> DhtNode::Start(const DhtSettings& settings, Hasher hash160) {
  BS_TRY(auto hp, util::ParseHostPort(settings.listen, true));
  auto impl = std::make_unique<Impl>();
  impl->hash160 = hash160;
  impl->timeout = settings.timeout;
  ::dht::DhtRunner::Config config;
  config.dht_config.node_config.network = static_cast<::dht::NetId>(settings.network_id);
  config.threaded = true;
  try {
    auto addrs = ::dht::SockAddr::resolve(hp.first, std::to_string(hp.second));
    if (addrs.empty()) return Fail(ErrorCode::InvalidArgument, "--dht: cannot resolve " + hp.first);
    config.bind4 = addrs.front();
    impl->runner.run(hp.second, config);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::Unavailable, std::string("cannot start the DHT node: ") + e.what());
  }
  // Values of our type live an hour on remote nodes, and only when they hash to
  // their key or are manifests whose chunk list reads.
  Hasher check = hash160;
  impl->runner.registerType(::dht::ValueType(
      VALUE_TYPE, "blockstack-record", VALUE_LIFETIME,
      [check](::dht::InfoHash key, std::shared_ptr<::dht::Value>& value, const ::dht::InfoHash&, const ::dht::SockAddr&) {
        if (!value || value->data.size() > CHUNK_BYTES + 1024) return false;
        std::string hex = key.toString();
        std::string data(value->data.begin(), value->data.end());
        if (value->user_type.empty()) return check(data) == hex;
        return value->user_type == MANIFEST_TYPE && DecodeManifest(data, hex).has_value();
      }));
  std::unique_ptr<DhtNode> node(new DhtNode(std::move(impl)));
  node->m_port = node->m_impl->runner.getBoundPort();
  for (const auto& b : settings.bootstrap) node->Bootstrap(b);
  return node;
}

void DhtNode::Bootstrap(const std::string& hostport) {
  auto hp = util::ParseHostPort(hostport);
  if (!hp) return;
  m_impl->runner.bootstrap(hp->first, std::to_string(hp->second));
}

std::size_t DhtNode::KnownNodes() const {
  auto stats = m_impl->runner.getNodesStats(AF_INET);
  return stats.good_nodes + stats.dubious_nodes;
}

util::Result<std::string> DhtNode::Put(std::string_view record) {
  if (record.size() > MAX_RECORD_BYTES) return Fail(ErrorCode::TooLarge, "record over " + std::to_string(MAX_RECORD_BYTES) + " bytes");
  const std::string hash = m_impl->hash160(record);
  if (record.size() <= CHUNK_BYTES) {
    if (!m_impl->PutValue(hash, std::string(record), "")) return Fail(ErrorCode::Unavailable, "no DHT node took record " + hash);
    return hash;
  }
  Manifest m;
  m.size = record.size();
  for (auto& chunk : SplitChunks(record)) {
    std::string h = m_impl->hash160(chunk);
    if (!m_impl->PutValue(h, std::move(chunk), "")) return Fail(ErrorCode::Unavailable, "no DHT node took a chunk of " + hash);
    m.chunks.push_back(h);
  }
  if (!m_impl->PutValue(hash, EncodeManifest(m), MANIFEST_TYPE)) {
    return Fail(ErrorCode::Unavailable, "no DHT node took the manifest of " + hash);
  }
  return hash;
}

util::Result<std::optional<std::string>> DhtNode::Get(const std::string& hash_hex) {
  if (!util::IsHash160Hex(hash_hex))
    return Fail(ErrorCode::InvalidArgument, "a record key is 40 lowercase hex characters");
  auto values = m_impl->Values(hash_hex);
  for (const auto& v : values) {
    if (!v) continue;
    std::string data = Text(v->data);
    if (v->user_type.empty()) {
      if (m_impl->hash160(data) == hash_hex) return std::optional<std::string>(std::move(data));
      continue;
    }
    if (v->user_type != MANIFEST_TYPE) continue;
    auto m = DecodeManifest(data, hash_hex);
    if (!m) continue;
    std::vector<std::string> chunks;
    for (const auto& h : m->chunks) {
      auto chunk = m_impl->Raw(h);
      if (!chunk) break;
      chunks.push_back(std::move(*chunk));
    }
    auto joined = JoinChunks(*m, chunks, hash_hex, m_impl->hash160);
    if (joined) return std::optional<std::string>(std::move(*joined));
  }
  return std::optional<std::string>{};
}

void DhtNode::Stop() {
  if (!m_impl) return;
  m_impl->runner.shutdown({}, true);
  m_impl->runner.join();
  m_impl.reset();
}

}  // namespace blockstack::dht

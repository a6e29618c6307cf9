#include <node/node.h>
#include <node/verify.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <api/api.h>
#include <atlas/atlas_node.h>
#include <atlas/zonefile_store.h>
#include <bitcoin/rpc/block_file.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bns/db/engine.h>
#include <crypto/hash.h>
#include <dht/dht_node.h>
#include <dns/server.h>
#include <explorer/explorer.h>
#include <net/http_server.h>
#include <node/data_dir_lock.h>
#include <node/progress.h>
#include <node/records.h>
#include <node/zonefile_index.h>
#include <subdomain/index.h>
#include <subdomain/record.h>
#include <util/text.h>
#include <util/url.h>
#include <util/version.h>
#include <virtualchain/scanner.h>

namespace blockstack::node {
namespace {

using util::ErrorCode;
using util::Fail;

// Progress while catching up: blocks/s, ops/s and an ETA.
class ProgressReporter {
 public:
  void operator()(const virtualchain::ScanProgress& p) {
    const double bps = p.seconds > 0 ? static_cast<double>(p.blocks) / p.seconds : 0;
    const double ops = p.seconds > 0 ? static_cast<double>(p.ops) / p.seconds : 0;
    const double eta = bps > 0 ? static_cast<double>(p.target - p.height) / bps : 0;
    m_line.Show(fmt::format("indexed block {}/{}: {:.0f} blocks/s, {:.0f} ops/s, ETA {:.0f}s", p.height, p.target, bps,
                            ops, eta),
                p.height == p.target);
  }

 private:
  ProgressLine m_line{/*first_at_once=*/true};
};

// Refuses a data directory made for another network, first block or magic.
util::Status CheckMeta(bns::db::NameDb& db, const Config& cfg) {
  const std::string network = bitcoin::Params(cfg.network).name;
  const std::string first = std::to_string(cfg.FirstBlock());
  BS_TRY(auto stored_net, db.GetMeta("network"));
  BS_TRY(auto stored_first, db.GetMeta("first_block"));
  if (stored_net && *stored_net != network) {
    return Fail(ErrorCode::InvalidArgument, "the data directory holds a " + *stored_net + " database");
  }
  if (stored_first && *stored_first != first) {
    return Fail(ErrorCode::InvalidArgument,
                "the data directory was indexed from block " + *stored_first + ", not " + first);
  }
  if (!stored_net) BS_CHECK_OK(db.SetMeta("network", network));
  if (!stored_first) BS_CHECK_OK(db.SetMeta("first_block", first));
  BS_TRY(auto stored_magic, db.GetMeta("magic"));
  if (stored_magic && *stored_magic != cfg.magic) {
    return Fail(ErrorCode::InvalidArgument, "the data directory holds a database of payloads starting '" +
                                                *stored_magic + "', not '" + cfg.magic + "'");
  }
  if (!stored_magic) BS_CHECK_OK(db.SetMeta("magic", cfg.magic));
  // A database indexed under an earlier revision of the consensus rules may hold
  // other consensus hashes than the original's from the first operation the
  // revision changed: it is refused rather than served.
  const std::string revision = std::to_string(bns::ops::RULES_REVISION);
  BS_TRY(auto stored_revision, db.GetMeta("rules_revision"));
  // (A new database holds only the genesis snapshots below the first block; one
  // killed before this mark was written has indexed nothing either.)
  BS_TRY(auto last, db.LastBlock());
  const bool indexed = last && *last >= cfg.FirstBlock();
  if ((stored_revision && *stored_revision != revision) || (!stored_revision && indexed)) {
    return Fail(ErrorCode::InvalidArgument,
                "the data directory was indexed under consensus rules revision " + stored_revision.value_or("1") +
                    "; this version applies revision " + revision +
                    " (doc/compatibility.md says what changed): move it aside and index again, or restore a "
                    "snapshot made by this version");
  }
  if (!stored_revision) BS_CHECK_OK(db.SetMeta("rules_revision", revision));
  return util::Ok();
}

std::vector<std::string> SplitCsv(const std::string& csv) {
  std::vector<std::string> out;
  for (auto item : util::SplitList(csv, ',')) out.emplace_back(item);
  return out;
}

atlas::AtlasSettings AtlasSettingsFor(const Config& cfg) {
  atlas::AtlasSettings s;
  s.seeds = SplitCsv(cfg.atlas_peers);
  s.blacklist = SplitCsv(cfg.atlas_blacklist);
  s.network = bitcoin::Params(cfg.network).name;
  s.version = util::VERSION;
  if (cfg.network == bitcoin::Network::Regtest) {
    // Test networks work on a scale of seconds (the reference's test mode).
    using std::chrono::milliseconds;
    s.work_interval = milliseconds(1000);
    s.inventory_refresh = milliseconds(2000);
    s.peer_clean_interval = milliseconds(5000);
    s.ban_time = milliseconds(60000);
  }
  return s;
}

// Sleeps for seconds, or less when stop is set meanwhile.
void SleepUnless(const std::atomic<bool>& stop, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string Bracketed(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

}  // namespace

// Declared in start order; destroyed in reverse, so nothing outlives what it uses.
struct Node::Parts {
  std::optional<DataDirLock> lock;  // first in, last out
  std::unique_ptr<bns::db::NameDb> db;
  std::unique_ptr<bitcoin::BlockSource> source;
  std::string origin;
  std::unique_ptr<bns::db::Engine> engine;
  std::unique_ptr<virtualchain::Scanner> scanner;
  std::unique_ptr<atlas::ZonefileStore> zonefiles;
  std::unique_ptr<NameDbZonefileIndex> zonefile_index;
  std::unique_ptr<dns::DnsServer> dns;
  std::unique_ptr<dht::DhtNode> dht;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<atlas::AtlasNode> atlas;
  std::unique_ptr<subdomain::SubdomainIndex> subdomains;
  std::unique_ptr<RecordSources> sources;
  std::unique_ptr<explorer::Explorer> explorer;
  std::unique_ptr<net::HttpServer> server;
  ProgressReporter progress;
};

Node::Node(const Config& cfg) : m_cfg(cfg), m_parts(std::make_unique<Parts>()) {}

Node::~Node() { Stop(); }

util::Result<std::unique_ptr<Node>> Node::Start(const Config& cfg) {
  std::unique_ptr<Node> node(new Node(cfg));
  BS_CHECK_OK(node->Open());
  return node;
}

util::Status Node::Open() {
  std::error_code ec;
  std::filesystem::create_directories(m_cfg.data_dir, ec);
  if (ec) return Fail(ErrorCode::IoError, "cannot create data directory " + m_cfg.data_dir + ": " + ec.message());
  BS_TRY(m_parts->lock, DataDirLock::Acquire(m_cfg.data_dir));
  // A damaged database is reported, never served (blockstackd verify checks all of it).
  BS_CHECK_OK(CheckAtStart(m_cfg.data_dir));
  // What an interrupted restore left behind is never used (doc/snapshot.md).
  if (std::filesystem::exists(m_cfg.data_dir + "/restore.partial", ec)) {
    spdlog::warn("removing {}/restore.partial, left by an interrupted restore", m_cfg.data_dir);
    std::filesystem::remove_all(m_cfg.data_dir + "/restore.partial", ec);
  }
  BS_CHECK_OK(OpenChain());
  BS_CHECK_OK(OpenServices());
  BS_CHECK_OK(OpenApi());
  Subscribe();
  BS_CHECK_OK(Listen());
  return util::Ok();
}

namespace {

// The Bitcoin node's chain must be the one --network names: a node on another
// chain would index the wrong blocks and end on other consensus hashes.
util::Status CheckGenesis(bitcoin::rpc::RpcClient& client, bitcoin::Network network) {
  auto genesis = client.GetBlockHash(0);
  if (!genesis) return Fail(ErrorCode::Unavailable, genesis.error().message);
  const std::string hex = genesis->ReversedHex();
  const auto& want = bitcoin::Params(network);
  if (hex == want.genesis) return util::Ok();
  auto theirs = bitcoin::NetworkOfGenesis(hex);
  return Fail(ErrorCode::InvalidArgument,
              "the Bitcoin node at " + client.Origin() + " is on " +
                  (theirs ? std::string(bitcoin::Params(*theirs).name) : "a chain this node does not know") +
                  " (genesis block " + hex + "), but --network is " + want.name + " (genesis " + want.genesis +
                  "): give --network " + (theirs ? bitcoin::Params(*theirs).name : "for that chain") +
                  " or a --bitcoind of " + want.name);
}

}  // namespace

util::Status Node::OpenChain() {
  auto& p = *m_parts;
  spdlog::info("data directory {}", m_cfg.data_dir);
  BS_TRY(p.db, bns::db::NameDb::Open(m_cfg.data_dir + "/blockstack.db"));
  BS_CHECK_OK(CheckMeta(*p.db, m_cfg));
  if (!m_cfg.blocks_file.empty()) {
    BS_TRY(p.source, bitcoin::rpc::BlockFileSource::Open(m_cfg.blocks_file));
    p.origin = m_cfg.blocks_file;
  } else {
    BS_TRY(auto client, bitcoin::rpc::RpcClient::Create(m_cfg.bitcoind));
    BS_CHECK_OK(CheckGenesis(*client, m_cfg.network));
    if (auto st = client->CheckTransactionIndex(); !st) return Fail(ErrorCode::Unavailable, st.error().message);
    p.origin = client->Origin();
    p.source = std::make_unique<bitcoin::rpc::RpcBlockSource>(std::move(client));
  }
  p.engine = std::make_unique<bns::db::Engine>(*p.db, RulesFor(m_cfg));
  virtualchain::ScanOptions opts;
  opts.magic = m_cfg.magic;
  opts.first_block = m_cfg.FirstBlock();
  opts.confirmations = m_cfg.Confirmations();
  opts.network = m_cfg.network;
  p.scanner = std::make_unique<virtualchain::Scanner>(*p.source, *p.engine, opts);
  auto last = p.db->LastBlock();
  spdlog::info("indexing the {} chain at {} from block {} ({} confirmations); last indexed block: {}",
               bitcoin::Params(m_cfg.network).name, p.origin, m_cfg.FirstBlock(), m_cfg.Confirmations(),
               last && *last ? std::to_string(**last) : "none");
  BS_TRY(p.zonefiles, atlas::ZonefileStore::Open(m_cfg.data_dir + "/zonefiles.db"));
  // Atlas, the subdomain index and zone-file POSTs read the name database through
  // this connection of their own.
  BS_TRY(p.zonefile_index, NameDbZonefileIndex::Open(m_cfg.data_dir + "/blockstack.db"));
  return util::Ok();
}

util::Status Node::OpenServices() {
  auto& p = *m_parts;
  if (!m_cfg.dns.empty()) {
    dns::DnsSettings settings;
    settings.listen = m_cfg.dns;
    settings.threads = m_cfg.dns_threads.value_or(2);
    settings.table = m_cfg.names_in_memory;
    settings.zones.db_path = m_cfg.data_dir + "/blockstack.db";
    settings.zones.rules = RulesFor(m_cfg);
    auto last = p.db->LastBlock();
    auto started = dns::DnsServer::Start(settings, *p.zonefiles, last && *last ? **last : 0);
    if (!started) return Fail(ErrorCode::Unavailable, "--dns: " + started.error().message);
    p.dns = std::move(*started);
    auto hp = util::ParseHostPort(m_cfg.dns, true);
    spdlog::info("DNS listening on {}:{} (UDP and TCP)", hp ? hp->first : m_cfg.dns, p.dns->Port());
  }
  if (!m_cfg.dht.empty()) {
    dht::DhtSettings settings;
    settings.listen = m_cfg.dht;
    settings.bootstrap = SplitCsv(m_cfg.dht_bootstrap);
    settings.network_id = dht::NetworkIdFor(bitcoin::Params(m_cfg.network).name);
    auto started = dht::DhtNode::Start(
        settings, [](std::string_view data) { return crypto::Hash160Of(util::AsBytes(data)).Hex(); });
    if (!started) return Fail(ErrorCode::Unavailable, "--dht: " + started.error().message);
    p.dht = std::move(*started);
    spdlog::info("DHT node on UDP port {} with {} bootstrap peer(s)", p.dht->Port(), settings.bootstrap.size());
  }
  return util::Ok();
}

util::Status Node::OpenApi() {
  auto& p = *m_parts;
  if (m_cfg.api.empty() || m_cfg.api == "off") return util::Ok();
  api::ApiSettings settings;
  settings.db_path = m_cfg.data_dir + "/blockstack.db";
  settings.rules = RulesFor(m_cfg);
  settings.version = util::VERSION;
  settings.name_table = m_cfg.names_in_memory;
  settings.proofs = m_cfg.proofs;
  settings.mainnet_addresses = m_cfg.api_mainnet_addresses;
  BS_TRY(p.api, api::Api::Create(settings, *p.zonefiles));
  p.api->SetZonefileWriter([this](std::string_view text) { return StoreZonefile(text); });
  if (!m_cfg.bitcoind.empty()) {
    // A client of its own: the indexer's is used by its thread alone.
    auto rpc = std::make_shared<std::pair<std::mutex, std::unique_ptr<bitcoin::rpc::RpcClient>>>();
    BS_TRY(rpc->second, bitcoin::rpc::RpcClient::Create(m_cfg.bitcoind));
    p.api->SetTransactionLocator([rpc](const std::string& txid) {
      std::lock_guard lock(rpc->first);
      return rpc->second->TransactionHeight(txid);
    });
    p.api->SetBlockLocator([rpc](const std::string& hash) {
      std::lock_guard lock(rpc->first);
      return rpc->second->BlockHeight(hash);
    });
  }
  if (m_cfg.atlas) {
    auto made = atlas::AtlasNode::Create(AtlasSettingsFor(m_cfg), *p.zonefiles, *p.zonefile_index);
    if (!made) return Fail(made.error().code, "atlas: " + made.error().message);
    p.atlas = std::move(*made);
    p.api->SetAtlasCounts([atlas = p.atlas.get()] {
      auto st = atlas->Stats();
      return api::Api::AtlasCounts{st.slots, st.present, st.missing, st.peers};
    });
    // Subdomains are read from the zone files Atlas stores (spec atlas.md §4).
    const uint32_t from =
        m_cfg.network == bitcoin::Network::Mainnet ? subdomain::SUBDOMAINS_FIRST_BLOCK_MAINNET : m_cfg.FirstBlock();
    auto subdomains = subdomain::SubdomainIndex::Open(
        m_cfg.data_dir + "/subdomains.db", from, *p.zonefile_index,
        [store = p.zonefiles.get()](std::string_view hash) { return store->Get(hash); });
    if (!subdomains) return Fail(subdomains.error().code, "subdomains: " + subdomains.error().message);
    p.subdomains = std::move(*subdomains);
    p.api->SetSubdomains(p.subdomains.get());
  }
  p.sources = std::make_unique<RecordSources>(*p.zonefiles, p.dht.get(), p.atlas.get(), SplitCsv(m_cfg.mirrors));
  return util::Ok();
}

void Node::Subscribe() {
  auto& p = *m_parts;
  // Who takes "a block was committed", in this order.
  if (p.api) m_events.OnBlockCommitted("api", [api = p.api.get()](const auto& b) { api->OnBlockCommitted(b); });
  if (p.atlas) m_events.OnBlockCommitted("atlas", [a = p.atlas.get()](const auto& b) { a->OnBlockCommitted(b); });
  if (p.subdomains) {
    m_events.OnBlockCommitted("subdomains", [s = p.subdomains.get()](const auto& b) { s->OnBlockCommitted(b); });
  }
  if (p.dns) m_events.OnBlockCommitted("dns", [d = p.dns.get()](const auto& b) { d->OnBlockCommitted(b); });
  p.engine->SetOnCommitted([this](const interfaces::BlockCommitted& b) { m_events.Publish(b); });
  // Who takes "a zone file was stored", in this order.
  if (p.api) m_events.OnZonefileStored("api", [api = p.api.get()](const auto& z) { api->OnZonefileStored(z); });
  if (p.dns) m_events.OnZonefileStored("dns", [d = p.dns.get()](const auto& z) { d->OnZonefileStored(z); });
  if (p.sources) m_events.OnZonefileStored("dht", [s = p.sources.get()](const auto& z) { s->Publish(z.hash); });
  if (p.subdomains) {
    m_events.OnZonefileStored("subdomains", [s = p.subdomains.get()](const auto& z) { s->OnZonefileStored(z); });
    // The index's own changes date the API's cached answers too.
    p.subdomains->SetOnChanged([api = p.api.get()] { api->Invalidate(); });
  }
  if (p.atlas) {
    p.atlas->SetOnStored([this](const std::string& hash) { m_events.Publish(interfaces::ZonefileStored{hash}); });
  }
}

util::Status Node::Listen() {
  auto& p = *m_parts;
  if (p.api) {
    auto hp = util::ParseHostPort(m_cfg.api, true);
    if (!hp) return Fail(ErrorCode::InvalidArgument, "--api: " + hp.error().message);
    if (p.atlas) m_router.Mount("/v1/atlas", p.atlas->Routes());
    m_router.Mount("/v1/dht", p.sources->Routes());
    if (m_cfg.explorer) {
      explorer::ExplorerSettings settings;
      settings.network = bitcoin::Params(m_cfg.network).name;
      p.explorer = std::make_unique<explorer::Explorer>(
          [api = p.api.get()](const net::Request& req) { return api->Handle(req); }, std::move(settings));
      m_router.Add("GET", "/", "explorer",
                   [ex = p.explorer.get()](const net::Request& req, const net::PathParams&) { return ex->Home(req); });
      m_router.Mount("/explorer", p.explorer->Routes());
    }
    m_router.SetDefault([api = p.api.get()](const net::Request& req) { return api->HandleRouted(req); });
    auto handler = [this, api = p.api.get()](const net::Request& req) {
      auto start = std::chrono::steady_clock::now();
      auto routed = m_router.Dispatch(req);
      // The API counts its own answers; the mounted parts are counted here.
      if (req.path.starts_with("/v1/atlas") || req.path.starts_with("/v1/dht") || req.path.starts_with("/explorer") ||
          req.path == "/") {
        api->CountRequest(routed.label, routed.response.status,
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      return std::move(routed.response);
    };
    auto options = p.api->ServerOptions();
    if (m_cfg.api_max_connections) options.max_connections = *m_cfg.api_max_connections;
    if (m_cfg.api_max_connections_per_address) {
      options.max_connections_per_address = *m_cfg.api_max_connections_per_address;
    }
    if (m_cfg.api_header_timeout_ms) options.header_timeout = std::chrono::milliseconds(*m_cfg.api_header_timeout_ms);
    if (m_cfg.api_body_timeout_ms) options.body_timeout = std::chrono::milliseconds(*m_cfg.api_body_timeout_ms);
    BS_TRY(p.server, net::HttpServer::Start(hp->first, hp->second, handler, options));
    m_api_url = "http://" + Bracketed(hp->first) + ":" + std::to_string(p.server->Port());
    spdlog::info("REST API listening on {}", m_api_url);
    p.api->SetPublicUrl(m_api_url);
    if (p.subdomains) p.subdomains->Start();
    if (p.atlas) {
      std::string self = m_cfg.atlas_hostport;
      if (self.empty() && hp->first != "0.0.0.0" && hp->first != "::") {
        self = Bracketed(hp->first) + ":" + std::to_string(p.server->Port());
      }
      p.atlas->SetSelf(self);
      p.atlas->Start();
      spdlog::info("atlas: replicating zone files as {} with {} seed peer(s)", self.empty() ? "(unadvertised)" : self,
                   SplitCsv(m_cfg.atlas_peers).size());
    }
  }
  if (p.sources) {
    bool test_network = m_cfg.network != bitcoin::Network::Mainnet;
    p.sources->Start(test_network ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(30000));
  }
  return util::Ok();
}

util::Result<bool> Node::StoreZonefile(std::string_view zonefile) {
  auto& p = *m_parts;
  // Atlas checks the hash against the chain and publishes what it stores.
  if (p.atlas) return p.atlas->Store(zonefile);
  if (zonefile.size() > atlas::MAX_ZONEFILE_BYTES) return Fail(ErrorCode::TooLarge, "zone file too large");
  const std::string hash = atlas::ZonefileHash(zonefile);
  BS_TRY(bool announced, p.zonefile_index->IsAnnounced(hash));
  if (!announced) return Fail(ErrorCode::NotFound, "no name announces zone file " + hash);
  BS_TRY(bool stored, p.zonefiles->Put(zonefile));
  if (stored) m_events.Publish(interfaces::ZonefileStored{hash});
  return stored;
}

void Node::Run(const std::atomic<bool>& stop) {
  auto& p = *m_parts;
  auto on_progress = [&](const virtualchain::ScanProgress& progress) {
    p.progress(progress);
    if (p.api) p.api->OnChainTip(progress.target, progress.height < progress.target);
  };
  std::optional<uint32_t> reported;
  while (!stop) {
    auto r = p.scanner->CatchUp(stop, on_progress);
    if (!r) {
      spdlog::warn("indexing paused: {}", r.error().message);
      SleepUnless(stop, std::max(m_cfg.poll_seconds, 1.0));
      continue;
    }
    if (p.api && *r) p.api->OnChainTip(**r, false);
    if (*r && (!reported || *reported != **r)) {
      auto snap = p.db->SnapshotAt(**r);
      if (snap && *snap) spdlog::info("at block {} consensus hash {}", **r, (*snap)->consensus_hash);
      reported = *r;
    }
    if (!*r) ReportBelowFirstBlock();
    if (m_cfg.exit_at_tip) break;
    SleepUnless(stop, m_cfg.poll_seconds);
  }
}

void Node::ReportBelowFirstBlock() {
  // Nothing indexed yet: say why, at once and then every 30 seconds, so a node
  // waiting for a syncing Bitcoin node (or given a wrong --first-block) is seen.
  const auto now = std::chrono::steady_clock::now();
  if (m_below_reported && now - *m_below_reported < std::chrono::seconds(30)) return;
  auto tip = m_parts->source->TipHeight();
  if (!tip || *tip >= m_cfg.FirstBlock()) return;
  m_below_reported = now;
  spdlog::info(
      "waiting: the Bitcoin node's chain is at block {}, below the first block {} (--first-block); indexing "
      "starts when it gets there",
      *tip, m_cfg.FirstBlock());
}

void Node::Stop() {
  if (m_stopped) return;
  m_stopped = true;
  auto& p = *m_parts;
  if (p.sources) p.sources->Stop();
  if (p.atlas) p.atlas->Stop();
  if (p.subdomains) p.subdomains->Stop();
  if (p.server) p.server->Stop();
  if (p.dht) p.dht->Stop();
  if (p.dns) p.dns->Stop();
}

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

}  // namespace

int RunNode(const Config& config) {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto node = Node::Start(config);
  if (!node) {
    spdlog::error("{}", node.error().message);
    // 3: try again later (the Bitcoin node is away); 5: the data is damaged.
    if (node.error().code == ErrorCode::Unavailable) return 3;
    return node.error().code == ErrorCode::Corruption ? 5 : 2;
  }
  (*node)->Run(g_stop);
  (*node)->Stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace blockstack::node

#include <node/daemon.h>

#include <api/api.h>
#include <atlas/atlas_node.h>
#include <atlas/zonefile_store.h>
#include <crypto/hash.h>
#include <dht/dht_node.h>
#include <dns/server.h>
#include <net/http_server.h>
#include <node/records.h>
#include <subdomain/index.h>
#include <subdomain/record.h>
#include <util/text.h>
#include <util/url.h>
#include <util/version.h>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <bitcoin/block_file.h>
#include <bitcoin/rpc/rpc_client.h>
#include <bns/engine.h>
#include <node/config.h>
#include <node/import_zonefiles.h>
#include <node/progress.h>
#include <node/query.h>
#include <node/snapshot.h>
#include <node/zonefile_index.h>
#include <util/log.h>

namespace blockstack::node {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

void SleepInterruptibly(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Progress while catching up: blocks/s, ops/s and an ETA.
class ProgressReporter {
 public:
  void operator()(const virtualchain::ScanProgress& p) {
    const double bps = p.seconds > 0 ? static_cast<double>(p.blocks) / p.seconds : 0;
    const double ops = p.seconds > 0 ? static_cast<double>(p.ops) / p.seconds : 0;
    const double eta = bps > 0 ? static_cast<double>(p.target - p.height) / bps : 0;
    m_line.Show(fmt::format("indexed block {}/{}: {:.0f} blocks/s, {:.0f} ops/s, ETA {:.0f}s", p.height, p.target,
                            bps, ops, eta),
                p.height == p.target);
  }

 private:
  ProgressLine m_line{/*first_at_once=*/true};
};

// Refuses a data directory made for another network or first block.
util::Status CheckMeta(bns::db::NameDb& db, const Config& cfg) {
  const std::string network = bitcoin::Params(cfg.network).name;
  const std::string first = std::to_string(cfg.FirstBlock());
  BS_TRY(auto stored_net, db.GetMeta("network"));
  BS_TRY(auto stored_first, db.GetMeta("first_block"));
  if (stored_net && *stored_net != network) {
    return util::Fail(util::ErrorCode::InvalidArgument, "the data directory holds a " + *stored_net + " database");
  }
  if (stored_first && *stored_first != first) {
    return util::Fail(util::ErrorCode::InvalidArgument,
                      "the data directory was indexed from block " + *stored_first + ", not " + first);
  }
  if (!stored_net) BS_CHECK_OK(db.SetMeta("network", network));
  if (!stored_first) BS_CHECK_OK(db.SetMeta("first_block", first));
  BS_TRY(auto stored_magic, db.GetMeta("magic"));
  if (stored_magic && *stored_magic != cfg.magic) {
    return util::Fail(util::ErrorCode::InvalidArgument, "the data directory holds a database of payloads starting '" +
                                                            *stored_magic + "', not '" + cfg.magic + "'");
  }
  if (!stored_magic) BS_CHECK_OK(db.SetMeta("magic", cfg.magic));
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

}  // namespace

int RunDaemon(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "query") return RunQuery(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "snapshot") return RunSnapshot(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "restore") return RunRestore(argc, argv);
  if (argc > 1 && std::string_view(argv[1]) == "import-zonefiles") return RunImportZonefiles(argc - 1, argv + 1);
  int exit_code = 0;
  auto cfg = ParseDaemonArgs(argc, argv, &exit_code);
  if (!cfg) return exit_code;
  if (auto st = util::InitLogging(cfg->log_level); !st) {
    std::fprintf(stderr, "blockstackd: %s\n", st.error().message.c_str());
    return 2;
  }
  return RunNode(*cfg);
}

int RunNode(const Config& config) {
  const Config* cfg = &config;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  std::error_code ec;
  std::filesystem::create_directories(cfg->data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data directory {}: {}", cfg->data_dir, ec.message());
    return 2;
  }
  // What an interrupted restore left behind is never used (doc/snapshot.md).
  if (std::filesystem::exists(cfg->data_dir + "/restore.partial", ec)) {
    spdlog::warn("removing {}/restore.partial, left by an interrupted restore", cfg->data_dir);
    std::filesystem::remove_all(cfg->data_dir + "/restore.partial", ec);
  }
  auto db = bns::db::NameDb::Open(cfg->data_dir + "/blockstack.db");
  if (!db) {
    spdlog::error("{}", db.error().message);
    return 2;
  }
  if (auto st = CheckMeta(**db, *cfg); !st) {
    spdlog::error("{}", st.error().message);
    return 2;
  }
  std::unique_ptr<bitcoin::BlockSource> source;
  std::string origin;
  if (!cfg->blocks_file.empty()) {
    auto file = bitcoin::BlockFileSource::Open(cfg->blocks_file);
    if (!file) {
      spdlog::error("{}", file.error().message);
      return 2;
    }
    source = std::move(*file);
    origin = cfg->blocks_file;
  } else {
    auto client = bitcoin::rpc::RpcClient::Create(cfg->bitcoind);
    if (!client) {
      spdlog::error("{}", client.error().message);
      return 2;
    }
    if (auto st = (*client)->CheckTransactionIndex(); !st) {
      spdlog::error("{}", st.error().message);
      return 3;
    }
    origin = (*client)->Origin();
    source = std::make_unique<bitcoin::rpc::RpcBlockSource>(std::move(*client));
  }

  const bns::ops::Rules rules = RulesFor(*cfg);
  bns::Engine engine(**db, rules);

  virtualchain::ScanOptions opts;
  opts.magic = cfg->magic;
  opts.first_block = cfg->FirstBlock();
  opts.confirmations = cfg->Confirmations();
  opts.network = cfg->network;
  virtualchain::Scanner scanner(*source, engine, opts);

  auto last = (*db)->LastBlock();
  spdlog::info("indexing the {} chain at {} from block {} ({} confirmations); last indexed block: {}",
               bitcoin::Params(cfg->network).name, origin, cfg->FirstBlock(), cfg->Confirmations(),
               last && *last ? std::to_string(**last) : "none");
  // The REST API reads the same database through its own read-only connections.
  auto zonefiles = atlas::ZonefileStore::Open(cfg->data_dir + "/zonefiles.db");
  if (!zonefiles) {
    spdlog::error("{}", zonefiles.error().message);
    return 2;
  }
  std::unique_ptr<dns::DnsServer> dns_server;
  if (!cfg->dns.empty()) {
    dns::DnsSettings settings;
    settings.listen = cfg->dns;
    settings.threads = cfg->dns_threads.value_or(2);
    settings.table = cfg->names_in_memory;
    settings.zones.db_path = cfg->data_dir + "/blockstack.db";
    settings.zones.rules = rules;
    auto started = dns::DnsServer::Start(settings, **zonefiles, last && *last ? **last : 0);
    if (!started) {
      spdlog::error("--dns: {}", started.error().message);
      return 3;
    }
    dns_server = std::move(*started);
    auto hp = util::ParseHostPort(cfg->dns, true);
    spdlog::info("DNS listening on {}:{} (UDP and TCP)", hp ? hp->first : cfg->dns, dns_server->Port());
  }
  std::unique_ptr<dht::DhtNode> dht_node;
  if (!cfg->dht.empty()) {
    dht::DhtSettings settings;
    settings.listen = cfg->dht;
    settings.bootstrap = SplitCsv(cfg->dht_bootstrap);
    settings.network_id = dht::NetworkIdFor(bitcoin::Params(cfg->network).name);
    auto started = dht::DhtNode::Start(settings, [](std::string_view data) {
      return crypto::Hash160Of(util::AsBytes(data)).Hex();
    });
    if (!started) {
      spdlog::error("--dht: {}", started.error().message);
      return 3;
    }
    dht_node = std::move(*started);
    spdlog::info("DHT node on UDP port {} with {} bootstrap peer(s)", dht_node->Port(), settings.bootstrap.size());
  }
  std::unique_ptr<RecordSources> sources;
  std::unique_ptr<api::Api> rest;
  std::unique_ptr<net::HttpServer> server;
  std::unique_ptr<NameDbZonefileIndex> zonefile_index;
  std::unique_ptr<atlas::AtlasNode> atlas_node;
  std::unique_ptr<subdomain::SubdomainIndex> subdomains;
  if (!cfg->api.empty() && cfg->api != "off") {
    auto hp = util::ParseHostPort(cfg->api, true);
    if (!hp) {
      spdlog::error("--api: {}", hp.error().message);
      return 2;
    }
    api::ApiSettings settings;
    settings.db_path = cfg->data_dir + "/blockstack.db";
    settings.rules = rules;
    settings.version = util::VERSION;
    settings.name_table = cfg->names_in_memory;
    auto made = api::Api::Create(settings, **zonefiles);
    if (!made) {
      spdlog::error("{}", made.error().message);
      return 2;
    }
    rest = std::move(*made);
    if (cfg->atlas) {
      auto index = NameDbZonefileIndex::Open(cfg->data_dir + "/blockstack.db");
      if (!index) {
        spdlog::error("{}", index.error().message);
        return 2;
      }
      zonefile_index = std::move(*index);
      auto made_atlas = atlas::AtlasNode::Create(AtlasSettingsFor(*cfg), **zonefiles, *zonefile_index);
      if (!made_atlas) {
        spdlog::error("atlas: {}", made_atlas.error().message);
        return 2;
      }
      atlas_node = std::move(*made_atlas);
      // Subdomains are read from the zone files Atlas stores (spec atlas.md §4).
      const uint32_t subdomains_from =
          cfg->network == bitcoin::Network::Mainnet ? subdomain::SUBDOMAINS_FIRST_BLOCK_MAINNET : cfg->FirstBlock();
      auto made_subdomains = subdomain::SubdomainIndex::Open(
          cfg->data_dir + "/subdomains.db", subdomains_from, *zonefile_index,
          [store = zonefiles->get()](std::string_view hash) { return store->Get(hash); });
      if (!made_subdomains) {
        spdlog::error("subdomains: {}", made_subdomains.error().message);
        return 2;
      }
      subdomains = std::move(*made_subdomains);
      subdomains->SetOnChanged([&rest] { rest->OnZonefileStored(); });
      atlas_node->SetOnStored([&rest, &dns_server, &sources, &subdomains](const std::string& hash) {
        rest->OnZonefileStored();
        if (dns_server) dns_server->OnZonefileStored(hash);
        if (sources) sources->Publish(hash);
        subdomains->OnStored(hash);
      });
      rest->SetAtlas(atlas_node.get());
      rest->SetSubdomains(subdomains.get());
      subdomains->Start();
    } else if (dns_server) {
      rest->SetOnStored([&dns_server](const std::string& hash) { dns_server->OnZonefileStored(hash); });
    }
    sources = std::make_unique<RecordSources>(**zonefiles, dht_node.get(), atlas_node.get(), SplitCsv(cfg->mirrors));
    auto started = net::HttpServer::Start(
        hp->first, hp->second,
        [&rest, &sources](const net::Request& req) {
          if (auto answer = sources->Handle(req)) return *answer;
          return rest->Handle(req);
        },
        rest->ServerOptions());
    if (!started) {
      spdlog::error("{}", started.error().message);
      return 3;
    }
    server = std::move(*started);
    std::string host = hp->first.find(':') != std::string::npos ? "[" + hp->first + "]" : hp->first;
    settings.public_url = "http://" + host + ":" + std::to_string(server->Port());
    spdlog::info("REST API listening on {}", settings.public_url);
    rest->SetPublicUrl(settings.public_url);
    if (atlas_node) {
      std::string self = cfg->atlas_hostport;
      if (self.empty() && hp->first != "0.0.0.0" && hp->first != "::") {
        self = host + ":" + std::to_string(server->Port());
      }
      atlas_node->SetSelf(self);
      atlas_node->Start();
      spdlog::info("atlas: replicating zone files as {} with {} seed peer(s)", self.empty() ? "(unadvertised)" : self,
                   SplitCsv(cfg->atlas_peers).size());
    }
  }
  if (sources) {
    bool test_network = cfg->network != bitcoin::Network::Mainnet;
    sources->Start(test_network ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(30000));
  }
  ProgressReporter progress;
  auto on_progress = [&](const virtualchain::ScanProgress& p) {
    progress(p);
    if (rest) {
      rest->OnChainTip(p.target, p.height < p.target);
      rest->OnBlock(p.height);
    }
    if (atlas_node) atlas_node->OnBlock();
    if (subdomains) subdomains->Wake();
    if (dns_server) dns_server->OnBlock(p.height);
  };
  std::optional<uint32_t> reported;
  while (!g_stop) {
    auto r = scanner.CatchUp(g_stop, on_progress);
    if (!r) {
      spdlog::warn("indexing paused: {}", r.error().message);
      SleepInterruptibly(std::max(cfg->poll_seconds, 1.0));
      continue;
    }
    if (rest && *r) rest->OnChainTip(**r, false);
    if (*r && (!reported || *reported != **r)) {
      auto snap = (*db)->SnapshotAt(**r);
      if (snap && *snap) spdlog::info("at block {} consensus hash {}", **r, (*snap)->consensus_hash);
      reported = *r;
    }
    if (cfg->exit_at_tip) break;
    SleepInterruptibly(cfg->poll_seconds);
  }
  if (sources) sources->Stop();
  if (atlas_node) atlas_node->Stop();
  if (subdomains) subdomains->Stop();
  if (server) server->Stop();
  if (dht_node) dht_node->Stop();
  if (dns_server) dns_server->Stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace blockstack::node

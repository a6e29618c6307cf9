#include <node/config.h>

#include <util/text.h>
#include <util/version.h>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace blockstack::node {

using util::ErrorCode;
using util::Fail;

uint32_t Config::FirstBlock() const {
  if (first_block) return *first_block;
  switch (network) {
    case bitcoin::Network::Mainnet: return 373601;
    case bitcoin::Network::Testnet: return 0;
    case bitcoin::Network::Regtest: return 0;
  }
  return 0;
}

bns::EpochSchedule Config::Epochs() const {
  if (epochs) return *epochs;
  if (network == bitcoin::Network::Regtest) return bns::EpochSchedule::Single(3);
  return bns::EpochSchedule::Mainnet();
}

uint32_t Config::Confirmations() const {
  if (confirmations) return *confirmations;
  return network == bitcoin::Network::Regtest ? 0 : 6;
}

namespace {

// The keys a config file may hold (underscore spelling).
constexpr std::string_view CONFIG_KEYS[] = {
    "network",
    "bitcoind",
    "data_dir",
    "api",
    "log_level",
    "magic",
    "atlas",
    "atlas_peers",
    "atlas_blacklist",
    "atlas_hostport",
    "dns",
    "dns_threads",
    "dht",
    "dht_bootstrap",
    "mirrors",
    "announcers",
    "first_block",
    "confirmations",
    "namespace_reveal_expire",
    "import_keyring_size",
    "api_max_connections",
    "api_max_connections_per_address",
    "api_header_timeout_ms",
    "api_body_timeout_ms",
    "names_in_memory",
    "proofs",
    "explorer",
    "api_mainnet_addresses",
    "epochs",
    "poll_seconds",
};

util::Status ApplyTomlTable(toml::table given, Config& cfg);

}  // namespace

util::Status ApplyTomlFile(const std::string& path, Config& cfg) {
  toml::table tbl;
  try {
    tbl = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string what = e.what();
    if (what.find("File could not be opened") != std::string::npos) {
      return Fail(ErrorCode::IoError, "cannot read config file " + path);
    }
    return Fail(ErrorCode::InvalidArgument, "config file " + path + ": " + what + " at line " +
                                                std::to_string(e.source().begin.line));
  }
  auto status = ApplyTomlTable(std::move(tbl), cfg);
  if (!status) return Fail(status.error().code, "config file " + path + ": " + status.error().message);
  return util::Ok();
}

namespace {

util::Status ApplyTomlTable(toml::table given, Config& cfg) {
  // Each key under the spelling --help shows (dashes) or with underscores; an
  // unknown key, a section, or one key spelled both ways is an error naming it.
  toml::table tbl;
  const std::vector<std::string_view> known(std::begin(CONFIG_KEYS), std::end(CONFIG_KEYS));
  for (auto&& [key, node] : given) {
    const std::string written(key.str());
    std::string name = written;
    std::replace(name.begin(), name.end(), '-', '_');
    const std::string where = " (line " + std::to_string(node.source().begin.line) + ")";
    if (node.is_table()) {
      return Fail(ErrorCode::InvalidArgument, "[" + written + "]" + where +
                                                  " is a section; blockstackd's keys all sit at the top of the "
                                                  "file, before any section (only [[epochs]] is a table)");
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      auto hint = util::NearestWord(name, known);
      return Fail(ErrorCode::InvalidArgument, "unknown key '" + written + "'" + where +
                                                  (hint ? "; did you mean '" + *hint + "'?" : std::string()) +
                                                  " (the keys are the long options of blockstackd --help)");
    }
    if (tbl.contains(name)) {
      return Fail(ErrorCode::InvalidArgument,
                  "key '" + written + "'" + where + " is given twice (as '" + name + "' with dashes or underscores)");
    }
    node.visit([&](auto&& value) { tbl.insert(name, value); });
  }
  auto str = [&](const char* key, std::string& out) -> util::Status {
    if (auto node = tbl.get(key)) {
      auto v = node->value<std::string>();
      if (!v) return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' must be a string");
      out = *v;
    }
    return util::Ok();
  };
  auto u32 = [&](const char* key, std::optional<uint32_t>& out) -> util::Status {
    if (auto node = tbl.get(key)) {
      auto v = node->value<int64_t>();
      if (!v || *v < 0 || *v > 0xffffffffLL) {
        return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' must be a non-negative integer");
      }
      out = static_cast<uint32_t>(*v);
    }
    return util::Ok();
  };
  std::string network;
  BS_CHECK_OK(str("network", network));
  if (!network.empty()) {
    auto n = bitcoin::ParseNetwork(network);
    if (!n) return Fail(ErrorCode::InvalidArgument, "config key 'network': unknown network '" + network + "'");
    cfg.network = *n;
  }
  const std::pair<const char*, std::string*> strings[] = {
      {"bitcoind", &cfg.bitcoind},
      {"data_dir", &cfg.data_dir},
      {"api", &cfg.api},
      {"log_level", &cfg.log_level},
      {"magic", &cfg.magic},
      {"atlas_peers", &cfg.atlas_peers},
      {"atlas_blacklist", &cfg.atlas_blacklist},
      {"atlas_hostport", &cfg.atlas_hostport},
      {"dns", &cfg.dns},
      {"dht", &cfg.dht},
      {"dht_bootstrap", &cfg.dht_bootstrap},
      {"mirrors", &cfg.mirrors},
      {"announcers", &cfg.announcers},
  };
  for (const auto& [key, field] : strings) {
    BS_CHECK_OK(str(key, *field));
  }
  if (cfg.magic.size() != 2) return Fail(ErrorCode::InvalidArgument, "config key 'magic' must be two characters");
  BS_CHECK_OK(u32("first_block", cfg.first_block));
  BS_CHECK_OK(u32("confirmations", cfg.confirmations));
  BS_CHECK_OK(u32("namespace_reveal_expire", cfg.namespace_reveal_expire));
  BS_CHECK_OK(u32("import_keyring_size", cfg.import_keyring_size));
  BS_CHECK_OK(u32("dns_threads", cfg.dns_threads));
  for (auto [key, field] : {std::pair{"api_max_connections", &cfg.api_max_connections},
                            std::pair{"api_max_connections_per_address", &cfg.api_max_connections_per_address},
                            std::pair{"api_header_timeout_ms", &cfg.api_header_timeout_ms},
                            std::pair{"api_body_timeout_ms", &cfg.api_body_timeout_ms}}) {
    BS_CHECK_OK(u32(key, *field));
    if (*field == 0u) return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' must be positive");
  }
  const std::pair<const char*, bool*> flags[] = {{"atlas", &cfg.atlas},
                                                 {"names_in_memory", &cfg.names_in_memory},
                                                 {"proofs", &cfg.proofs},
                                                 {"explorer", &cfg.explorer},
                                                 {"api_mainnet_addresses", &cfg.api_mainnet_addresses}};
  for (const auto& [key, field] : flags) {
    if (auto node = tbl.get(key)) {
      // value<bool>() would take an integer too.
      auto* v = node->as_boolean();
      if (!v) return Fail(ErrorCode::InvalidArgument, std::string("config key '") + key + "' must be true or false");
      *field = v->get();
    }
  }
  if (auto node = tbl.get("epochs")) {
    auto* arr = node->as_array();
    if (!arr) return Fail(ErrorCode::InvalidArgument, "config key 'epochs' must be an array of tables");
    std::vector<bns::EpochSchedule::Range> ranges;
    for (auto& item : *arr) {
      auto* t = item.as_table();
      if (t) {
        for (auto&& [k, v] : *t) {
          if (k.str() != "number" && k.str() != "end") {
            return Fail(ErrorCode::InvalidArgument, "unknown key '" + std::string(k.str()) + "' in [[epochs]] (line " +
                                                        std::to_string(v.source().begin.line) +
                                                        "); an epoch has 'number' and 'end'");
          }
        }
      }
      auto number = t ? (*t)["number"].value<int64_t>() : std::nullopt;
      if (!number) return Fail(ErrorCode::InvalidArgument, "each epoch needs a 'number'");
      auto end = (*t)["end"].value<int64_t>();
      if (end && (*end < 0 || *end >= 0xffffffffLL)) return Fail(ErrorCode::InvalidArgument, "epoch 'end' out of range");
      ranges.push_back({static_cast<int>(*number), end ? static_cast<uint32_t>(*end) : bns::OPEN_ENDED});
    }
    BS_TRY(auto schedule, bns::EpochSchedule::FromRanges(std::move(ranges)));
    cfg.epochs = std::move(schedule);
  }
  if (auto node = tbl.get("poll_seconds")) {
    auto v = node->value<double>();
    if (!v || *v <= 0) return Fail(ErrorCode::InvalidArgument, "config key 'poll_seconds' must be a positive number");
    cfg.poll_seconds = *v;
  }
  return util::Ok();
}

}  // namespace

std::optional<std::string> DefaultDataDir(bitcoin::Network network) {
  const std::string name = bitcoin::Params(network).name;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/') {
    return std::string(xdg) + "/blockstack/" + name;
  }
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/share/blockstack/" + name;
  return std::nullopt;
}

bns::ops::Rules RulesFor(const Config& cfg) {
  bns::ops::Rules rules;
  rules.network = cfg.network;
  rules.epochs = cfg.Epochs();
  rules.first_block = cfg.FirstBlock();
  rules.test_mode = cfg.network == bitcoin::Network::Regtest;
  if (cfg.namespace_reveal_expire) rules.namespace_reveal_expire = *cfg.namespace_reveal_expire;
  if (cfg.import_keyring_size) rules.import_keyring_size = *cfg.import_keyring_size;
  for (auto name : util::SplitList(cfg.announcers, ',')) rules.announcers.emplace_back(name);
  return rules;
}

std::optional<Config> ParseDaemonArgs(int argc, char** argv, int* exit_code, RestoreArgs* restore) {
  CLI::App app{restore ? "blockstackd restore: rebuilds a name database from a snapshot, checks it against one "
                         "trusted consensus hash, then (given a Bitcoin node) keeps indexing"
                       : "blockstackd: follows a Bitcoin node and indexes the Blockstack name system"};
  if (!restore) {
    app.footer(
        "Other commands:\n"
        "  blockstackd query ...     read the name database (blockstackd query --help)\n"
        "  blockstackd snapshot ...  write the node's state to one file (blockstackd snapshot --help)\n"
        "  blockstackd restore ...   start a node from a snapshot, checked against a trusted consensus hash\n"
        "                            (blockstackd restore --help; doc/snapshot.md)\n"
        "  blockstackd import-zonefiles ...  store the zone files another node keeps in a directory, each\n"
        "                            checked against its hash and the chain (blockstackd import-zonefiles --help)");
  }
  if (restore) {
    app.name("blockstackd restore");
    app.add_option("FILE", restore->file, "Snapshot file written by 'blockstackd snapshot'")->required();
    app.add_option("--trusted-consensus-hash", restore->trusted_consensus_hash,
                   "The consensus hash you trust at the restored height (32 hex digits)")
        ->required();
    app.add_option("--height", restore->height,
                   "Restore up to this height, where the trusted hash holds (default: the snapshot's height)");
  }
  std::string config_file, network, bitcoind, data_dir, api, log_level, magic;
  std::string atlas_peers, atlas_blacklist, atlas_hostport, dns, dht, dht_bootstrap, mirrors;
  std::optional<std::string> announcers;
  bool no_atlas = false;
  std::optional<int> regtest_epoch;
  std::string blocks_file;
  bool exit_at_tip = false;
  std::optional<uint32_t> first_block, confirmations, dns_threads;
  std::optional<bool> names_in_memory;
  std::optional<bool> proofs;
  std::optional<bool> explorer;
  std::optional<bool> api_mainnet_addresses;
  double poll = 0;
  app.set_version_flag("--version", std::string("blockstackd ") + util::VERSION);
  app.add_option("--config", config_file, "TOML file with any of the keys below (flags take precedence)");
  app.add_option("--network", network, "mainnet, testnet or regtest (default mainnet)");
  app.add_option("--bitcoind", bitcoind, "Bitcoin node JSON-RPC URL, http://USER:PASS@HOST:PORT (required)");
  app.add_option("--data-dir", data_dir,
                 "Directory for the name database and zone files (default "
                 "$XDG_DATA_HOME/blockstack/NETWORK or ~/.local/share/blockstack/NETWORK)");
  app.add_option("--api", api, "HOST:PORT for the REST API (default 127.0.0.1:6270; port 0 picks a free one; "
                                  "'off' serves none)");
  app.add_option("--first-block", first_block, "First Bitcoin block to scan (default: 373601 on mainnet, 0 otherwise)");
  app.add_option("--confirmations", confirmations, "Blocks to stay behind the tip (default 6; 0 on regtest)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (default info)");
  app.add_option("--poll-seconds", poll, "Seconds between checks for new blocks (default 1)");
  app.add_option("--blocks-file", blocks_file, "Read blocks from a block file (doc/block-file.md) instead of --bitcoind");
  app.add_flag("--exit-at-tip", exit_at_tip, "Exit once every available block is indexed");
  app.add_option("--magic", magic, "Two-character payload prefix (default 'id')");
  app.add_option("--atlas-peers", atlas_peers, "Comma-separated host:port of Atlas peers to start from (their API ports)");
  app.add_option("--atlas-blacklist", atlas_blacklist, "Comma-separated host:port never to contact");
  app.add_option("--atlas-hostport", atlas_hostport, "host:port other peers reach this node at (default: the --api address)");
  app.add_flag("--no-atlas", no_atlas, "Do not replicate zone files with peers");
  app.add_option("--dht", dht, "UDP HOST:PORT for an OpenDHT node holding zone files and records (port 0 picks one)");
  app.add_option("--dht-bootstrap", dht_bootstrap, "Comma-separated host:port of DHT nodes to join through");
  app.add_option("--mirror", mirrors, "Comma-separated URLs of record mirrors, asked before the DHT ({hash} or /<hash>)");
  app.add_option("--announcers", announcers,
                 "Comma-separated names whose owners may ANNOUNCE (default judecn.id,muneeb.id,shea256.id, as the "
                 "original; '' for none)");
  app.add_option("--dns", dns, "HOST:PORT to answer DNS queries for BNS names on (UDP and TCP; port 0 picks one)");
  app.add_option("--dns-threads", dns_threads, "UDP threads answering DNS, 1-64 (default 2)");
  app.add_option("--names-in-memory", names_in_memory,
                 "true/false: the API and DNS keep every name in memory, about 150 MB per million names each "
                 "(default true; false reads the database per request)");
  app.add_option("--proofs", proofs,
                 "true/false: the API keeps the name-state tree and serves /v1/proofs (doc/proofs.md; about 100 "
                 "bytes a name; default true)");
  app.add_option("--explorer", explorer,
                 "true/false: serve the web explorer on the API port at / and /explorer (doc/explorer.md; default "
                 "true)");
  app.add_option("--api-mainnet-addresses", api_mainnet_addresses,
                 "true/false: on regtest or testnet, /v1/names/{name} gives owners' addresses in mainnet form, as "
                 "blockstack.js v21's sign-in and profile checks compare them (doc/authenticator.md; default false)");
  app.add_option("--epoch", regtest_epoch, "Run every block under one epoch's rules (1-6); default on regtest: 3");
  try {
    if (restore) {
      app.parse(argc - 1, argv + 1);
    } else {
      app.parse(argc, argv);
    }
  } catch (const CLI::ParseError& e) {
    *exit_code = app.exit(e) == 0 ? 0 : 2;
    return std::nullopt;
  }
  Config cfg;
  auto fail = [&](const std::string& msg) {
    std::cerr << "blockstackd: " << msg << "\n";
    *exit_code = 2;
    return std::nullopt;
  };
  if (!config_file.empty()) {
    auto st = ApplyTomlFile(config_file, cfg);
    if (!st) return fail(st.error().message);
  }
  if (!network.empty()) {
    auto n = bitcoin::ParseNetwork(network);
    if (!n) return fail("unknown network '" + network + "' (mainnet, testnet, regtest)");
    cfg.network = *n;
  }
  if (!bitcoind.empty()) cfg.bitcoind = bitcoind;
  if (!data_dir.empty()) cfg.data_dir = data_dir;
  if (!api.empty()) cfg.api = api;
  if (!log_level.empty()) cfg.log_level = log_level;
  if (first_block) cfg.first_block = first_block;
  if (confirmations) cfg.confirmations = confirmations;
  if (poll > 0) cfg.poll_seconds = poll;
  if (!magic.empty()) {
    if (magic.size() != 2) return fail("--magic must be two characters");
    cfg.magic = magic;
  }
  if (regtest_epoch) {
    if (*regtest_epoch < 1 || *regtest_epoch > 6) return fail("--epoch must be between 1 and 6");
    cfg.epochs = bns::EpochSchedule::Single(*regtest_epoch);
  }
  if (!atlas_peers.empty()) cfg.atlas_peers = atlas_peers;
  if (!atlas_blacklist.empty()) cfg.atlas_blacklist = atlas_blacklist;
  if (!atlas_hostport.empty()) cfg.atlas_hostport = atlas_hostport;
  if (no_atlas) cfg.atlas = false;
  if (!dns.empty()) cfg.dns = dns;
  if (dns_threads) cfg.dns_threads = dns_threads;
  if (cfg.dns_threads && (*cfg.dns_threads < 1 || *cfg.dns_threads > 64)) {
    return fail("--dns-threads (or the config key dns_threads) must be between 1 and 64");
  }
  if (names_in_memory) cfg.names_in_memory = *names_in_memory;
  if (proofs) cfg.proofs = *proofs;
  if (explorer) cfg.explorer = *explorer;
  if (api_mainnet_addresses) cfg.api_mainnet_addresses = *api_mainnet_addresses;
  if (!dht.empty()) cfg.dht = dht;
  if (!dht_bootstrap.empty()) cfg.dht_bootstrap = dht_bootstrap;
  if (!mirrors.empty()) cfg.mirrors = mirrors;
  if (announcers) cfg.announcers = *announcers;
  cfg.blocks_file = blocks_file;
  cfg.exit_at_tip = exit_at_tip;
  if (cfg.data_dir.empty()) {
    auto dir = DefaultDataDir(cfg.network);
    if (!dir) return fail("give --data-dir (neither XDG_DATA_HOME nor HOME is set for the default)");
    cfg.data_dir = *dir;
  }
  if (!restore && cfg.bitcoind.empty() && cfg.blocks_file.empty()) {
    return fail("--bitcoind is required (or 'bitcoind' in the config file)");
  }
  return cfg;
}

}  // namespace blockstack::node

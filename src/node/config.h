// blockstackd's configuration: command-line flags over an optional TOML file over
// built-in defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <bitcoin/network.h>
#include <bns/epochs.h>
#include <bns/ops/ops.h>
#include <util/result.h>

namespace blockstack::node {

struct Config {
  bitcoin::Network network = bitcoin::Network::Mainnet;
  std::string bitcoind;          // http://USER:PASS@HOST:PORT
  std::string blocks_file;       // read blocks from a block file instead (tests, benchmarks)
  bool exit_at_tip = false;      // stop once caught up
  std::string data_dir;          // "" until parsed: then the given one or DefaultDataDir(network)
  std::string api = "127.0.0.1:6270";
  std::optional<uint32_t> first_block;    // default: the network's
  std::optional<uint32_t> confirmations;  // default: the network's
  std::string log_level = "info";
  double poll_seconds = 1.0;     // how often to ask the Bitcoin node for new blocks
  std::string magic = "id";      // the two bytes that start every Blockstack payload
  // Epoch schedule; default: mainnet's on mainnet and testnet, epoch 3 from the
  // first block on regtest (every BTC-paid feature, as blockstack.js expects).
  std::optional<bns::EpochSchedule> epochs;
  std::optional<uint32_t> namespace_reveal_expire;
  std::optional<uint32_t> import_keyring_size;
  // Atlas (zone-file replication; needs the API, whose port it shares).
  bool atlas = true;
  std::string atlas_peers;      // CSV of host:port seeds
  std::string atlas_blacklist;  // CSV of host:port never contacted
  std::string atlas_hostport;   // what peers reach us at (default: the API address)
  std::string dns;              // HOST:PORT of the DNS front end ("" = none)
  std::optional<uint32_t> dns_threads;  // its UDP threads (1-64; default 2)
  // The API and the DNS front end keep every name in memory (about 150 MB per
  // million names each); off: they read the database for each request.
  bool names_in_memory = true;
  bool proofs = true;           // the name-state tree and /v1/proofs (doc/proofs.md)
  bool explorer = true;         // the web explorer at / and /explorer (doc/explorer.md)
  bool api_mainnet_addresses = false;  // test networks: /v1/names answers mainnet-form owners
  std::string dht;              // UDP HOST:PORT of the OpenDHT node ("" = none)
  std::string dht_bootstrap;    // CSV of host:port
  std::string mirrors;          // CSV of record mirror URLs, asked before the DHT
  // Names whose owners may ANNOUNCE (no consensus effect); the original's default.
  std::string announcers = "judecn.id,muneeb.id,shea256.id";
  // What one client may take of the API's listener, which Atlas peers share
  // (doc/limits.md); unset: the server's defaults.
  std::optional<uint32_t> api_max_connections;
  std::optional<uint32_t> api_max_connections_per_address;
  std::optional<uint32_t> api_header_timeout_ms;
  std::optional<uint32_t> api_body_timeout_ms;

  bns::EpochSchedule Epochs() const;

  uint32_t FirstBlock() const;
  uint32_t Confirmations() const;
};

// What `blockstackd restore` adds to the daemon's options.
struct RestoreArgs {
  std::string file;
  std::string trusted_consensus_hash;
  std::optional<uint32_t> height;  // default: the snapshot's
};

// Parses argv. Returns nullopt with *exit_code set when the program should exit
// at once (--help, --version, or a usage error, which is printed). With `restore`
// set, argv is `restore FILE ...`: the restore options are parsed into it and a
// Bitcoin node becomes optional (without one the program exits after restoring).
std::optional<Config> ParseDaemonArgs(int argc, char** argv, int* exit_code, RestoreArgs* restore = nullptr);

// The data directory when none is given, per user and network:
// $XDG_DATA_HOME/blockstack/NETWORK, else $HOME/.local/share/blockstack/NETWORK.
// nullopt when neither variable is set.
std::optional<std::string> DefaultDataDir(bitcoin::Network network);

// The consensus rules the configuration selects.
bns::ops::Rules RulesFor(const Config& cfg);

// Applies the keys of a TOML file (network, bitcoind, data_dir, api, first_block,
// confirmations, log_level, poll_seconds, magic, namespace_reveal_expire,
// import_keyring_size, announcers, atlas, atlas_peers, atlas_blacklist, atlas_hostport, dns, dns_threads,
// names_in_memory, proofs, explorer, api_mainnet_addresses, dht, dht_bootstrap, mirrors, api_max_connections,
// api_max_connections_per_address, api_header_timeout_ms, api_body_timeout_ms, and epochs = [{number = N, end = H},
// ..., {number = M}]) to cfg. Fails with IoError when the file cannot be read and InvalidArgument on bad TOML or a key
// of the wrong type.
util::Status ApplyTomlFile(const std::string& path, Config& cfg);

}  // namespace blockstack::node

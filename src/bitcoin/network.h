// Per-network constants of the Bitcoin layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blockstack::bitcoin {

enum class Network { Mainnet, Testnet, Regtest };

struct NetworkParams {
  Network network;
  const char* name;          // "mainnet", "testnet", "regtest"
  uint8_t p2pkh_version;     // base58check version of pay-to-pubkey-hash addresses
  uint8_t p2sh_version;      // base58check version of pay-to-script-hash addresses
  uint8_t wif_version;       // version byte of WIF private keys
  const char* genesis;       // the genesis block's hash, display hex (testnet: testnet3's)
};

const NetworkParams& Params(Network network);
// The network whose genesis block has this hash (display hex), if any.
std::optional<Network> NetworkOfGenesis(std::string_view genesis_hex);
// Parses "mainnet"/"main"/"bitcoin", "testnet"/"test", "regtest".
std::optional<Network> ParseNetwork(std::string_view name);

}  // namespace blockstack::bitcoin

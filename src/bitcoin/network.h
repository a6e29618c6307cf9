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
  // Other version bytes the network's addresses and WIFs are written with (0:
  // none): bcoin writes regtest ones as 0x3c (p2pkh), 0x26 (p2sh), 0x5a (WIF).
  uint8_t alt_p2pkh_version = 0;
  uint8_t alt_p2sh_version = 0;
  uint8_t alt_wif_version = 0;
};

const NetworkParams& Params(Network network);
// The network whose genesis block has this hash (display hex), if any.
std::optional<Network> NetworkOfGenesis(std::string_view genesis_hex);
// Parses "mainnet"/"main"/"bitcoin", "testnet"/"test", "regtest".
std::optional<Network> ParseNetwork(std::string_view name);

}  // namespace blockstack::bitcoin

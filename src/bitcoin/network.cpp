#include <bitcoin/network.h>

namespace blockstack::bitcoin {
namespace {

constexpr NetworkParams MAINNET{
    Network::Mainnet, "mainnet", 0x00, 0x05, 0x80, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"};
constexpr NetworkParams TESTNET{
    Network::Testnet, "testnet", 0x6f, 0xc4, 0xef, "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"};
constexpr NetworkParams REGTEST{Network::Regtest,
                                "regtest",
                                0x6f,
                                0xc4,
                                0xef,
                                "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
                                0x3c,
                                0x26,
                                0x5a};

}  // namespace

const NetworkParams& Params(Network network) {
  switch (network) {
    case Network::Mainnet: return MAINNET;
    case Network::Testnet: return TESTNET;
    case Network::Regtest: return REGTEST;
  }
  return MAINNET;
}

std::optional<Network> ParseNetwork(std::string_view name) {
  if (name == "mainnet" || name == "main" || name == "bitcoin") return Network::Mainnet;
  if (name == "testnet" || name == "test") return Network::Testnet;
  if (name == "regtest") return Network::Regtest;
  return std::nullopt;
}

std::optional<Network> NetworkOfGenesis(std::string_view genesis_hex) {
  for (const auto* p : {&MAINNET, &TESTNET, &REGTEST}) {
    if (genesis_hex == p->genesis) return p->network;
  }
  return std::nullopt;
}

}  // namespace blockstack::bitcoin

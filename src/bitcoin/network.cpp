#include <bitcoin/network.h>

namespace blockstack::bitcoin {
namespace {

constexpr NetworkParams MAINNET{Network::Mainnet, "mainnet", 0x00, 0x05, 0x80};
constexpr NetworkParams TESTNET{Network::Testnet, "testnet", 0x6f, 0xc4, 0xef};
constexpr NetworkParams REGTEST{Network::Regtest, "regtest", 0x6f, 0xc4, 0xef};

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

}  // namespace blockstack::bitcoin

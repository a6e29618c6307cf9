#include <cli/common.h>

#include <iostream>

namespace blockstack::cli {

void Report(Globals& g, const util::Error& e) {
  std::cerr << "error: " << e.message << "\n";
  g.rc = ExitCodeFor(e.code);
}

void Print(const Globals& g, const nlohmann::json& j, const std::string& human) {
  if (g.json_output) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << human;
  }
}

util::Result<bitcoin::NetworkParams> NetworkOf(const Globals& g) {
  auto n = bitcoin::ParseNetwork(g.network);
  if (!n) {
    return util::Fail(util::ErrorCode::InvalidArgument,
                      "unknown network '" + g.network + "' (mainnet, testnet, regtest)");
  }
  return bitcoin::Params(*n);
}

util::Result<crypto::PrivateKey> ParseKey(const std::string& text) {
  if (util::IsHex(text) && (text.size() == 64 || text.size() == 66)) return crypto::PrivateKey::FromHex(text);
  auto k = crypto::PrivateKey::FromWif(text);
  if (!k) {
    return util::Fail(util::ErrorCode::InvalidArgument, "key is neither WIF nor 32-byte hex: " + k.error().message);
  }
  return k;
}

}  // namespace blockstack::cli

// Transaction parser: never crashes; what parses re-serialises to the same bytes
// and the txid computed while parsing equals the one computed from the result.
// Reading who signed each input never crashes, and what it finds spends a p2pkh
// or p2sh output.
#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <virtualchain/filter.h>

#include <cstdlib>
#include <cstring>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  util::ByteView in(data, size);
  util::Hash256 txid;
  auto tx = bitcoin::ParseTransaction(in, &txid);
  if (!tx) return 0;
  auto out = bitcoin::SerializeTransaction(*tx);
  if (out.size() != size || std::memcmp(out.data(), data, size) != 0) std::abort();
  if (tx->ComputeTxid() != txid) std::abort();
  for (const auto& input : tx->inputs) {
    auto signers = virtualchain::SignersOf(input);
    if (!signers) continue;
    auto type = bitcoin::ClassifyScript(signers->spent_script);
    if (type != bitcoin::ScriptType::P2pkh && type != bitcoin::ScriptType::P2sh) std::abort();
    if (signers->keys.empty() || signers->num_required < 1 ||
        static_cast<std::size_t>(signers->num_required) > signers->keys.size()) {
      std::abort();
    }
  }
  return 0;
}

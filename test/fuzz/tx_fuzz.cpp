// Transaction parser: never crashes; what parses re-serialises to the same bytes
// and the txid computed while parsing equals the one computed from the result.
#include <bitcoin/tx.h>

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
  return 0;
}

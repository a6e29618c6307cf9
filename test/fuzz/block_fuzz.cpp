// Block parser: never crashes; what parses re-serialises to the same bytes, and the
// merkle check runs on whatever was parsed.
#include <bitcoin/block.h>

#include <cstdlib>
#include <cstring>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto block = bitcoin::ParseBlock(util::ByteView(data, size));
  if (!block) return 0;
  (void)bitcoin::CheckMerkleRoot(*block);
  auto out = bitcoin::SerializeBlock(*block);
  if (out.size() != size || std::memcmp(out.data(), data, size) != 0) std::abort();
  if (block->hash != block->header.ComputeHash()) std::abort();
  return 0;
}

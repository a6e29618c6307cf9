#include <bitcoin/block_source.h>

namespace blockstack::bitcoin {

util::Result<std::vector<Block>> BlockSource::GetBlocks(uint32_t first, uint32_t count) {
  std::vector<Block> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    BS_TRY(Block block, GetBlock(first + i));
    out.push_back(std::move(block));
  }
  return out;
}

}  // namespace blockstack::bitcoin

// What Atlas needs to know about the chain, without linking against the name
// database: which zone-file hashes names have announced, in which order, and the
// consensus hashes that tell a compatible peer from a forked one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <util/result.h>

namespace blockstack::interfaces {

// One inventory slot (spec atlas.md §1.1): an accepted NAME_REGISTRATION,
// NAME_UPDATE, NAME_IMPORT or NAME_RENEWAL that carries a value hash.
struct ZonefileSlot {
  std::string name;
  std::string hash;  // 40 lowercase hex
  std::string txid;
  uint32_t block_height = 0;
  uint32_t vtxindex = 0;
};

// Implementations must be safe to call from the Atlas threads while the indexer
// writes (they read through their own connection).
class ZonefileIndex {
 public:
  virtual ~ZonefileIndex() = default;
  // The slots of blocks at or above height, in (block_height, vtxindex) order.
  virtual util::Result<std::vector<ZonefileSlot>> SlotsFrom(uint32_t height) = 0;
  // How many slots lie in blocks below height.
  virtual util::Result<uint64_t> SlotCountBelow(uint32_t height) = 0;
  // The last block indexed, if any.
  virtual util::Result<std::optional<uint32_t>> LastBlock() = 0;
  // The consensus hash of a block, if it was indexed.
  virtual util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) = 0;
};

}  // namespace blockstack::interfaces

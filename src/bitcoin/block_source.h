// BlockSource: where the virtualchain reads Bitcoin from. Implemented over a
// bitcoind-style JSON-RPC node (bitcoin/rpc) and over a local block file (block_file.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <bitcoin/block.h>

namespace blockstack::bitcoin {

class BlockSource {
 public:
  virtual ~BlockSource() = default;

  // Height of the best block the source knows.
  virtual util::Result<uint32_t> TipHeight() = 0;
  // Hash of the block at a height of the best chain. NotFound above the tip.
  virtual util::Result<Hash256> BlockHash(uint32_t height) = 0;
  // The block at a height of the best chain, parsed, with its merkle root checked.
  virtual util::Result<Block> GetBlock(uint32_t height) = 0;
  // Blocks [first, first + count) in order; fails as a whole when any one fails.
  // The default calls GetBlock for each; sources override it to batch.
  virtual util::Result<std::vector<Block>> GetBlocks(uint32_t first, uint32_t count);
  // The transactions with these txids, in the same order. Fails with NotFound,
  // naming the txid, when one is unknown to the source.
  virtual util::Result<std::vector<Transaction>> GetTransactions(std::span<const Hash256> txids) = 0;
};

}  // namespace blockstack::bitcoin

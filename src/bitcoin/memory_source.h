// A BlockSource held in memory: the chain the unit tests, the fuzz targets and
// chaingen build block by block. Pure (no I/O), so the fuzz build carries it.
//
// Blocks are added in height order from first_height; every transaction of a
// held block can be fetched by txid. A reorganisation is TruncateAbove and then
// Add of the new branch. A long run can ForgetBlocksBelow what was read: their
// hashes stay (the scanner checks parents), their bodies go.
//
// Thread safety: the scanner's prefetch thread reads while the test thread may
// add; every method takes the source's lock.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <bitcoin/block_source.h>

namespace blockstack::bitcoin {

class MemoryBlockSource final : public BlockSource {
 public:
  explicit MemoryBlockSource(uint32_t first_height) : m_first(first_height) {}

  // Appends b at the next height.
  void Add(Block b);
  // Drops the blocks above height (a reorganisation's losing branch) and their
  // transactions.
  void TruncateAbove(uint32_t height);
  // Keeps the hashes of the blocks below height but not their bodies; their
  // transactions stay fetchable.
  void ForgetBlocksBelow(uint32_t height);
  // Blocks held (forgotten ones included).
  std::size_t Size() const;
  // Transactions asked for through GetTransactions so far.
  uint64_t TransactionsFetched() const;

  util::Result<uint32_t> TipHeight() override;
  util::Result<Hash256> BlockHash(uint32_t height) override;
  // NotFound above the tip, below the first height, or for a forgotten block.
  util::Result<Block> GetBlock(uint32_t height) override;
  util::Result<std::vector<Transaction>> GetTransactions(std::span<const Hash256> txids) override;

 private:
  struct Held {
    Hash256 hash;
    std::optional<Block> block;  // nullopt once forgotten
  };
  mutable std::mutex m_mutex;
  uint32_t m_first;
  std::deque<Held> m_blocks;
  std::unordered_map<Hash256, Transaction> m_txs;
  uint64_t m_fetched = 0;
};

}  // namespace blockstack::bitcoin

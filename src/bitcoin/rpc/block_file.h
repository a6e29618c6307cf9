// A file of consecutive raw blocks, for tests and benchmarks: the chain without a
// Bitcoin node. Format (all integers little-endian):
//   "BSBLOCKS" | u32 format version (1) | u32 height of the first block
//   then per block: u32 length | raw block bytes
// doc/block-file.md describes it.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>

#include <bitcoin/block_source.h>

namespace blockstack::bitcoin::rpc {

class BlockFileWriter {
 public:
  // Creates (truncates) the file. Fails with IoError.
  static util::Result<BlockFileWriter> Create(const std::string& path, uint32_t first_height);
  BlockFileWriter(BlockFileWriter&&) noexcept;
  BlockFileWriter& operator=(BlockFileWriter&&) noexcept;
  ~BlockFileWriter();

  util::Status Append(ByteView raw_block);
  util::Status Append(const Block& block) { return Append(SerializeBlock(block)); }
  // Flushes and closes; later Appends fail.
  util::Status Close();
  uint64_t BytesWritten() const { return m_bytes; }

 private:
  BlockFileWriter() = default;
  std::FILE* m_file = nullptr;
  std::string m_path;
  uint64_t m_bytes = 0;
};

// Serves blocks from a block file, mapped read-only. Not thread-safe. Blocks are
// read in order, so the mapped pages of blocks well behind the last one read are
// given back as it goes: the process's resident memory is then its own, not the
// file's. A later read of those pages maps them again from the page cache.
class BlockFileSource final : public BlockSource {
 public:
  // Fails with IoError when the file cannot be read, Corruption when its header is
  // wrong or its last record is truncated.
  static util::Result<std::unique_ptr<BlockFileSource>> Open(const std::string& path);
  ~BlockFileSource() override;

  uint32_t FirstHeight() const { return m_first_height; }
  std::size_t BlockCount() const { return m_records.size(); }
  // The raw bytes of the i-th block of the file (no copy).
  ByteView RawBlock(std::size_t i) const { return m_records[i]; }

  util::Result<uint32_t> TipHeight() override;
  util::Result<Hash256> BlockHash(uint32_t height) override;
  util::Result<Block> GetBlock(uint32_t height) override;
  util::Result<std::vector<Transaction>> GetTransactions(std::span<const Hash256> txids) override;

 private:
  BlockFileSource() = default;
  util::Result<std::size_t> Index(uint32_t height) const;
  // Parses blocks not yet indexed and records their txids, until `want` is found
  // (or, with want == nullptr, to the end).
  util::Status IndexTransactionsUntil(const Hash256* want);
  // Gives back the mapped pages before the block `i` - RELEASE_LAG.
  void ReleasePagesBefore(std::size_t i);

  struct TxLocation {
    uint32_t block = 0;
    uint32_t offset = 0;  // of the transaction within the block record
    uint32_t length = 0;
  };

  const uint8_t* m_map = nullptr;
  std::size_t m_map_size = 0;
  uint32_t m_first_height = 0;
  std::vector<ByteView> m_records;
  // Keyed by the txid's first 8 bytes (compact); a hit is confirmed by the full txid.
  std::unordered_multimap<uint64_t, TxLocation> m_tx_index;
  std::size_t m_indexed_blocks = 0;
  std::size_t m_released_bytes = 0;  // mapped bytes from the start last given back
};

}  // namespace blockstack::bitcoin::rpc

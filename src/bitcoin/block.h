// Bitcoin blocks: header, parsing, serialising, merkle root.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <bitcoin/tx.h>

namespace blockstack::bitcoin {

inline constexpr std::size_t BLOCK_HEADER_SIZE = 80;
// Raw blocks larger than this are refused before parsing (4x the segwit weight limit).
inline constexpr std::size_t MAX_RAW_BLOCK_SIZE = 16 * 1024 * 1024;

struct BlockHeader {
  int32_t version = 0;
  Hash256 prev_hash;
  Hash256 merkle_root;
  uint32_t time = 0;
  uint32_t bits = 0;
  uint32_t nonce = 0;

  Hash256 ComputeHash() const;
  bool operator==(const BlockHeader&) const = default;
};

struct Block {
  BlockHeader header;
  std::vector<Transaction> txs;
  // Filled by ParseBlock (and by Finalize for blocks built in memory): the txid of
  // txs[i], and the header's hash.
  std::vector<Hash256> txids;
  Hash256 hash;

  // Recomputes txids and hash from the contents.
  void Finalize();
};

void WriteHeader(util::ByteWriter& w, const BlockHeader& h);
util::Result<BlockHeader> ReadHeader(util::ByteReader& r);

// Parses a whole raw block; no trailing bytes allowed. Does not check the merkle root.
util::Result<Block> ParseBlock(ByteView raw);
util::Result<Block> ParseBlockHex(std::string_view hex);
Bytes SerializeBlock(const Block& block, bool with_witness = true);

// Bitcoin's merkle root of the given txids. *mutated (if given) is set when two equal
// siblings were hashed together (the CVE-2012-2459 ambiguity). Empty input: zero hash.
Hash256 ComputeMerkleRoot(std::span<const Hash256> txids, bool* mutated = nullptr);
// Checks the header's merkle root against the block's txids. Fails with Corruption.
util::Status CheckMerkleRoot(const Block& block);

}  // namespace blockstack::bitcoin

#include <bitcoin/block.h>

#include <crypto/hash.h>

namespace blockstack::bitcoin {

using util::ErrorCode;
using util::Fail;

void WriteHeader(util::ByteWriter& w, const BlockHeader& h) {
  w.I32LE(h.version);
  w.Append(h.prev_hash.view());
  w.Append(h.merkle_root.view());
  w.U32LE(h.time);
  w.U32LE(h.bits);
  w.U32LE(h.nonce);
}

Hash256 BlockHeader::ComputeHash() const {
  util::ByteWriter w(BLOCK_HEADER_SIZE);
  WriteHeader(w, *this);
  return crypto::Sha256d(w.Data());
}

util::Result<BlockHeader> ReadHeader(util::ByteReader& r) {
  BlockHeader h;
  BS_TRY(h.version, r.I32LE());
  BS_TRY(h.prev_hash, r.Fixed<32>());
  BS_TRY(h.merkle_root, r.Fixed<32>());
  BS_TRY(h.time, r.U32LE());
  BS_TRY(h.bits, r.U32LE());
  BS_TRY(h.nonce, r.U32LE());
  return h;
}

void Block::Finalize() {
  hash = header.ComputeHash();
  txids.clear();
  txids.reserve(txs.size());
  for (const auto& tx : txs) txids.push_back(tx.ComputeTxid());
}

util::Result<Block> ParseBlock(ByteView raw) {
  if (raw.size() > MAX_RAW_BLOCK_SIZE) {
    return Fail(ErrorCode::TooLarge, "block of " + std::to_string(raw.size()) + " bytes exceeds the limit");
  }
  if (raw.size() < BLOCK_HEADER_SIZE) return Fail(ErrorCode::Corruption, "block shorter than its header");
  util::ByteReader r(raw);
  Block block;
  BS_TRY(block.header, ReadHeader(r));
  block.hash = crypto::Sha256d(raw.first(BLOCK_HEADER_SIZE));
  // A transaction takes at least 10 bytes.
  BS_TRY(uint64_t n, r.CompactSize());
  if (n > r.Remaining() / 10) {
    return Fail(ErrorCode::Corruption, "transaction count " + std::to_string(n) + " exceeds the block's size");
  }
  block.txs.reserve(n);
  block.txids.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    auto tx = ReadTransaction(r, &block.txids[i]);
    if (!tx) return Fail(tx.error().Wrap("transaction " + std::to_string(i)));
    block.txs.push_back(std::move(*tx));
  }
  if (!r.AtEnd()) {
    return Fail(ErrorCode::Corruption, std::to_string(r.Remaining()) + " trailing bytes after block");
  }
  return block;
}

util::Result<Block> ParseBlockHex(std::string_view hex) {
  BS_TRY(Bytes raw, util::FromHex(hex));
  return ParseBlock(raw);
}

Bytes SerializeBlock(const Block& block, bool with_witness) {
  util::ByteWriter w;
  WriteHeader(w, block.header);
  w.CompactSize(block.txs.size());
  for (const auto& tx : block.txs) WriteTransaction(w, tx, with_witness);
  return std::move(w).Take();
}

Hash256 ComputeMerkleRoot(std::span<const Hash256> txids, bool* mutated) {
  if (mutated != nullptr) *mutated = false;
  if (txids.empty()) return Hash256{};
  std::vector<Hash256> level(txids.begin(), txids.end());
  uint8_t buf[64];
  while (level.size() > 1) {
    if (mutated != nullptr) {
      for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
        if (level[i] == level[i + 1]) *mutated = true;
      }
    }
    if (level.size() % 2 != 0) level.push_back(level.back());
    for (std::size_t i = 0; i < level.size() / 2; ++i) {
      std::copy(level[2 * i].begin(), level[2 * i].end(), buf);
      std::copy(level[2 * i + 1].begin(), level[2 * i + 1].end(), buf + 32);
      level[i] = crypto::Sha256d(ByteView(buf, 64));
    }
    level.resize(level.size() / 2);
  }
  return level[0];
}

util::Status CheckMerkleRoot(const Block& block) {
  bool mutated = false;
  Hash256 root = ComputeMerkleRoot(block.txids, &mutated);
  if (root != block.header.merkle_root) {
    return Fail(ErrorCode::Corruption, "merkle root mismatch in block " + block.hash.ReversedHex() +
                                           ": header says " + block.header.merkle_root.ReversedHex() +
                                           ", transactions give " + root.ReversedHex());
  }
  if (mutated) {
    return Fail(ErrorCode::Corruption, "block " + block.hash.ReversedHex() + " has duplicated transactions (mutated merkle tree)");
  }
  return util::Ok();
}

}  // namespace blockstack::bitcoin

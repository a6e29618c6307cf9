#include <virtualchain/consensus.h>

#include <algorithm>
#include <cassert>

#include <crypto/hash.h>

namespace blockstack::virtualchain {

namespace {

// The root over a row of leaf nodes already sorted and byte-reversed, as hex of its
// bytes reversed back.
std::string RootHex(std::vector<util::Bytes> row) {
  util::Bytes cat;
  while (row.size() > 1) {
    if (row.size() % 2 != 0) row.push_back(row.back());
    std::vector<util::Bytes> next;
    next.reserve(row.size() / 2);
    for (std::size_t i = 0; i < row.size(); i += 2) {
      cat.assign(row[i].begin(), row[i].end());
      cat.insert(cat.end(), row[i + 1].begin(), row[i + 1].end());
      auto h = crypto::Sha256d(cat);
      next.emplace_back(h.begin(), h.end());
    }
    row = std::move(next);
  }
  util::Bytes root = std::move(row[0]);
  std::reverse(root.begin(), root.end());
  return util::ToHex(root);
}

}  // namespace

std::string MerkleRootHex(std::vector<std::string> leaves) {
  assert(!leaves.empty());
  std::sort(leaves.begin(), leaves.end());
  std::vector<util::Bytes> row;
  row.reserve(leaves.size());
  for (const auto& hex : leaves) {
    auto bytes = util::FromHex(hex);
    assert(bytes.has_value());
    util::Bytes b = bytes.value_or(util::Bytes{});
    std::reverse(b.begin(), b.end());
    row.push_back(std::move(b));
  }
  return RootHex(std::move(row));
}

std::string OpsHash(const std::vector<std::string>& serialized_ops) {
  if (serialized_ops.empty()) return EMPTY_OPS_HASH;
  // The leaves are the digests' hex, which sorts as the digests' bytes do (all
  // 32 bytes long): no hex round trip is needed.
  std::vector<util::Bytes> row;
  row.reserve(serialized_ops.size());
  for (const auto& op : serialized_ops) {
    auto digest = crypto::Sha256d(util::AsBytes(op));
    row.emplace_back(digest.begin(), digest.end());
  }
  std::sort(row.begin(), row.end());
  for (auto& node : row) std::reverse(node.begin(), node.end());
  return RootHex(std::move(row));
}

std::vector<uint32_t> PreviousHashHeights(uint32_t height, uint32_t first_block) {
  std::vector<uint32_t> out;
  for (uint64_t step = 1; step <= height; step = step * 2 + 1) {
    uint64_t h = height - step;
    if (h < first_block) break;
    out.push_back(static_cast<uint32_t>(h));
  }
  return out;
}

std::string ConsensusHash(const std::vector<std::string>& prev_consensus_hashes, const std::string& ops_hash) {
  std::vector<std::string> all = prev_consensus_hashes;
  all.push_back(ops_hash);
  std::string root = MerkleRootHex(std::move(all));
  auto root_bytes = util::FromHex(root);
  auto digest = crypto::Ripemd160(crypto::Sha256(root_bytes.value_or(util::Bytes{})).view());
  return util::ToHex(util::ByteView(digest.data.data(), 16));
}

}  // namespace blockstack::virtualchain

// The name-state tree: a sparse Merkle tree over every name's current record,
// whose root a node computes after each block (doc/proofs.md). It is kept outside
// consensus: nothing in the chain commits to it, so a client trusts a root only
// when several independent nodes report the same one for the same block.
//
// Definition (what the C++ and the JavaScript verifiers both compute):
//   key(name)   = SHA256(name)                    (256 bits, most significant first)
//   leaf        = SHA256(0x00 || key || value)    value: 32 bytes (StateValue)
//   node        = SHA256(0x01 || left || right)
//   empty       = 32 zero bytes
// A subtree with no leaf hashes to `empty`; a subtree with exactly one leaf hashes
// to that leaf (no chain of single-child nodes above it); any other subtree is the
// `node` of its two halves (either may be `empty`). A proof lists the siblings
// from the root down to where the key's path ends: at an empty subtree, at the
// key's own leaf, or at another key's leaf sharing the path (then the key is
// absent).
//
// Thread safety: none; the owner serialises writes and reads (api keeps it under
// a shared mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::proofs {

using util::Hash256;

Hash256 StateKey(std::string_view name);
Hash256 StateLeafHash(const Hash256& key, const Hash256& value);
Hash256 StateNodeHash(const Hash256& left, const Hash256& right);

struct StateProof {
  std::vector<Hash256> siblings;  // from the root down; siblings.size() is the depth the path ends at
  struct Leaf {
    Hash256 key;
    Hash256 value;
    bool operator==(const Leaf&) const = default;
  };
  std::optional<Leaf> leaf;  // the leaf where the path ends; none: an empty subtree
  bool operator==(const StateProof&) const = default;
};

// What a proof shows about `key` under `root`: the key's value, or nullopt when
// it shows the key absent. Fails (InvalidArgument) when the proof does not lead
// to the root, or ends at another key's leaf off the key's path.
util::Result<std::optional<Hash256>> CheckStateProof(const Hash256& root, const Hash256& key, const StateProof& proof);

class StateTree {
 public:
  StateTree();
  // Sets or replaces a key's value, with a tag the owner keeps beside it (not
  // hashed); Erase removes it (no-op when absent). The root is brought up to date
  // by Commit.
  void Set(const Hash256& key, const Hash256& value, uint32_t tag = 0);
  void Erase(const Hash256& key);
  void Clear();
  // Recomputes the hashes that changed since the last Commit; returns the root.
  Hash256 Commit();
  // As of the last Commit.
  const Hash256& Root() const { return m_hash[1]; }
  std::size_t Size() const { return m_count[1]; }
  std::optional<Hash256> Get(const Hash256& key) const;
  std::optional<uint32_t> Tag(const Hash256& key) const;
  // The proof for `key` as of the last Commit (call Commit after changes first).
  StateProof Prove(const Hash256& key) const;
  std::size_t MemoryBytes() const;

 private:
  // The top TOP_BITS levels are kept as arrays (a heap: node i has children 2i and
  // 2i+1; bucket b is node BUCKETS + b); below them each bucket is a sorted vector
  // of its leaves, hashed on demand.
  static constexpr int TOP_BITS = 16;
  static constexpr std::size_t BUCKETS = std::size_t{1} << TOP_BITS;
  struct Entry {
    Hash256 key;
    Hash256 value;
    uint32_t tag = 0;
  };
  const Entry* Find(const Hash256& key) const;
  using Bucket = std::vector<Entry>;
  static std::size_t BucketOf(const Hash256& key) { return std::size_t{key[0]} << 8 | key[1]; }
  void MarkDirty(std::size_t bucket);

  std::vector<Bucket> m_buckets;
  std::vector<Hash256> m_hash;    // 2 * BUCKETS nodes (index 0 unused)
  std::vector<uint32_t> m_count;  // leaves under each node
  std::vector<std::size_t> m_dirty;
  std::vector<bool> m_is_dirty;
};

}  // namespace blockstack::proofs

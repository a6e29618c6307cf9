#include <proofs/state_tree.h>

#include <algorithm>

#include <crypto/hash.h>

namespace blockstack::proofs {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr uint8_t LEAF_TAG = 0x00;
constexpr uint8_t NODE_TAG = 0x01;
constexpr std::size_t KEY_BITS = 256;

bool Bit(const Hash256& key, std::size_t i) { return (key[i / 8] >> (7 - i % 8)) & 1; }

}  // namespace

Hash256 StateKey(std::string_view name) { return crypto::Sha256(util::AsBytes(name)); }

Hash256 StateLeafHash(const Hash256& key, const Hash256& value) {
  crypto::Sha256Hasher h;
  const uint8_t tag = LEAF_TAG;
  h.Update({&tag, 1}).Update(key).Update(value);
  return h.Finish();
}

Hash256 StateNodeHash(const Hash256& left, const Hash256& right) {
  crypto::Sha256Hasher h;
  const uint8_t tag = NODE_TAG;
  h.Update({&tag, 1}).Update(left).Update(right);
  return h.Finish();
}

util::Result<std::optional<Hash256>> CheckStateProof(const Hash256& root, const Hash256& key, const StateProof& proof) {
  const std::size_t depth = proof.siblings.size();
  if (depth > KEY_BITS) return Fail(ErrorCode::InvalidArgument, "state proof: deeper than a key has bits");
  Hash256 at{};
  if (proof.leaf) {
    // Another key's leaf ends the path only where both keys share it.
    for (std::size_t i = 0; i < depth; ++i) {
      if (Bit(proof.leaf->key, i) != Bit(key, i)) {
        return Fail(ErrorCode::InvalidArgument, "state proof: its leaf is off the name's path");
      }
    }
    at = StateLeafHash(proof.leaf->key, proof.leaf->value);
  }
  for (std::size_t i = depth; i-- > 0;) {
    at = Bit(key, i) ? StateNodeHash(proof.siblings[i], at) : StateNodeHash(at, proof.siblings[i]);
  }
  if (at != root) return Fail(ErrorCode::InvalidArgument, "state proof: does not lead to the root");
  if (proof.leaf && proof.leaf->key == key) return std::optional<Hash256>(proof.leaf->value);
  return std::optional<Hash256>{};
}

namespace {

// The hash of the subtree at `depth` holding the sorted entries [first, last).
template <typename It>
Hash256 SubtreeHash(It first, It last, std::size_t depth) {
  const auto n = static_cast<std::size_t>(last - first);
  if (n == 0) return Hash256{};
  if (n == 1) return StateLeafHash(first->key, first->value);
  // Sorted by key: the entries whose bit at `depth` is 0 come first.
  It mid = std::partition_point(first, last, [depth](const auto& e) { return !Bit(e.key, depth); });
  return StateNodeHash(SubtreeHash(first, mid, depth + 1), SubtreeHash(mid, last, depth + 1));
}

}  // namespace

StateTree::StateTree() : m_buckets(BUCKETS), m_hash(2 * BUCKETS), m_count(2 * BUCKETS, 0), m_is_dirty(BUCKETS, false) {}

void StateTree::MarkDirty(std::size_t bucket) {
  if (m_is_dirty[bucket]) return;
  m_is_dirty[bucket] = true;
  m_dirty.push_back(bucket);
}

void StateTree::Set(const Hash256& key, const Hash256& value, uint32_t tag) {
  const std::size_t b = BucketOf(key);
  auto& bucket = m_buckets[b];
  auto it =
      std::lower_bound(bucket.begin(), bucket.end(), key, [](const Entry& e, const Hash256& k) { return e.key < k; });
  if (it != bucket.end() && it->key == key) {
    it->tag = tag;
    if (it->value == value) return;
    it->value = value;
  } else {
    bucket.insert(it, Entry{key, value, tag});
  }
  MarkDirty(b);
}

void StateTree::Erase(const Hash256& key) {
  const std::size_t b = BucketOf(key);
  auto& bucket = m_buckets[b];
  auto it =
      std::lower_bound(bucket.begin(), bucket.end(), key, [](const Entry& e, const Hash256& k) { return e.key < k; });
  if (it == bucket.end() || it->key != key) return;
  bucket.erase(it);
  MarkDirty(b);
}

void StateTree::Clear() {
  for (auto& b : m_buckets) Bucket().swap(b);
  std::fill(m_hash.begin(), m_hash.end(), Hash256{});
  std::fill(m_count.begin(), m_count.end(), 0);
  std::fill(m_is_dirty.begin(), m_is_dirty.end(), false);
  m_dirty.clear();
}

Hash256 StateTree::Commit() {
  if (m_dirty.empty()) return m_hash[1];
  // Parents of the changed buckets, level by level from the bottom.
  std::vector<std::size_t> level;
  level.reserve(m_dirty.size());
  for (std::size_t b : m_dirty) {
    const auto& bucket = m_buckets[b];
    const std::size_t node = BUCKETS + b;
    m_hash[node] = SubtreeHash(bucket.begin(), bucket.end(), TOP_BITS);
    m_count[node] = static_cast<uint32_t>(bucket.size());
    m_is_dirty[b] = false;
    level.push_back(node);
  }
  m_dirty.clear();
  while (level.front() > 1) {
    for (auto& node : level) node /= 2;
    std::sort(level.begin(), level.end());
    level.erase(std::unique(level.begin(), level.end()), level.end());
    for (std::size_t node : level) {
      const std::size_t l = 2 * node;
      const std::size_t r = l + 1;
      m_count[node] = m_count[l] + m_count[r];
      if (m_count[node] == 0) {
        m_hash[node] = Hash256{};
      } else if (m_count[node] == 1) {
        m_hash[node] = m_count[l] == 1 ? m_hash[l] : m_hash[r];  // the one leaf, lifted
      } else {
        m_hash[node] = StateNodeHash(m_hash[l], m_hash[r]);
      }
    }
  }
  return m_hash[1];
}

const StateTree::Entry* StateTree::Find(const Hash256& key) const {
  const auto& bucket = m_buckets[BucketOf(key)];
  auto it =
      std::lower_bound(bucket.begin(), bucket.end(), key, [](const Entry& e, const Hash256& k) { return e.key < k; });
  return it == bucket.end() || it->key != key ? nullptr : &*it;
}

std::optional<Hash256> StateTree::Get(const Hash256& key) const {
  const Entry* e = Find(key);
  if (!e) return std::nullopt;
  return e->value;
}

std::optional<uint32_t> StateTree::Tag(const Hash256& key) const {
  const Entry* e = Find(key);
  if (!e) return std::nullopt;
  return e->tag;
}

StateProof StateTree::Prove(const Hash256& key) const {
  StateProof proof;
  // The one leaf under a top node that holds one.
  auto only_leaf = [this](std::size_t node) {
    while (node < BUCKETS) node = m_count[2 * node] == 1 ? 2 * node : 2 * node + 1;
    const Entry& e = m_buckets[node - BUCKETS].front();
    return StateProof::Leaf{e.key, e.value};
  };
  std::size_t node = 1;
  for (std::size_t depth = 0; depth < TOP_BITS; ++depth) {
    if (m_count[node] == 0) return proof;
    if (m_count[node] == 1) {
      proof.leaf = only_leaf(node);
      return proof;
    }
    const std::size_t child = 2 * node + (Bit(key, depth) ? 1 : 0);
    proof.siblings.push_back(m_hash[child ^ 1]);
    node = child;
  }
  const auto& bucket = m_buckets[node - BUCKETS];
  auto first = bucket.begin();
  auto last = bucket.end();
  for (std::size_t depth = TOP_BITS;; ++depth) {
    const auto n = last - first;
    if (n == 0) return proof;
    if (n == 1) {
      proof.leaf = StateProof::Leaf{first->key, first->value};
      return proof;
    }
    auto mid = std::partition_point(first, last, [depth](const Entry& e) { return !Bit(e.key, depth); });
    if (Bit(key, depth)) {
      proof.siblings.push_back(SubtreeHash(first, mid, depth + 1));
      first = mid;
    } else {
      proof.siblings.push_back(SubtreeHash(mid, last, depth + 1));
      last = mid;
    }
  }
}

std::size_t StateTree::MemoryBytes() const {
  std::size_t bytes = m_buckets.size() * sizeof(Bucket) + m_hash.size() * sizeof(Hash256) +
                      m_count.size() * sizeof(uint32_t) + m_is_dirty.size() / 8;
  for (const auto& b : m_buckets) bytes += b.capacity() * sizeof(Entry);
  return bytes;
}

}  // namespace blockstack::proofs

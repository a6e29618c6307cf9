// The name-state tree (proofs/state_tree.h): roots against a plain recursive
// definition, proofs of presence and absence, and tampered proofs refused.
#include <proofs/state_tree.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include <crypto/hash.h>

namespace blockstack::proofs {
namespace {

Hash256 Value(int i) { return crypto::Sha256(util::AsBytes("value " + std::to_string(i))); }

bool BitOf(const Hash256& k, std::size_t i) { return (k[i / 8] >> (7 - i % 8)) & 1; }

// The definition in state_tree.h, written the plain way.
Hash256 Reference(const std::vector<std::pair<Hash256, Hash256>>& leaves, std::size_t depth) {
  if (leaves.empty()) return Hash256{};
  if (leaves.size() == 1) return StateLeafHash(leaves[0].first, leaves[0].second);
  std::vector<std::pair<Hash256, Hash256>> left, right;
  for (const auto& l : leaves) (BitOf(l.first, depth) ? right : left).push_back(l);
  return StateNodeHash(Reference(left, depth + 1), Reference(right, depth + 1));
}

TEST(StateTreeTest, RootsFollowTheDefinition) {
  StateTree tree;
  EXPECT_EQ(tree.Commit(), Hash256{});
  std::map<std::string, Hash256> names;
  for (int i = 0; i < 300; ++i) {
    names["name" + std::to_string(i) + ".id"] = Value(i);
    tree.Set(StateKey("name" + std::to_string(i) + ".id"), Value(i));
    if (i % 37 == 0 || i < 3) {
      std::vector<std::pair<Hash256, Hash256>> leaves;
      for (const auto& [n, v] : names) leaves.emplace_back(StateKey(n), v);
      EXPECT_EQ(tree.Commit(), Reference(leaves, 0)) << i;
    }
  }
  // One leaf: the root is that leaf.
  StateTree one;
  one.Set(StateKey("a.id"), Value(1));
  EXPECT_EQ(one.Commit(), StateLeafHash(StateKey("a.id"), Value(1)));
  // Replacing and erasing move the root back exactly.
  const Hash256 before = tree.Commit();
  tree.Set(StateKey("name5.id"), Value(9999));
  EXPECT_NE(tree.Commit(), before);
  tree.Set(StateKey("name5.id"), Value(5));
  EXPECT_EQ(tree.Commit(), before);
  tree.Set(StateKey("extra.id"), Value(1));
  tree.Commit();
  tree.Erase(StateKey("extra.id"));
  EXPECT_EQ(tree.Commit(), before);
  EXPECT_EQ(tree.Size(), 300u);
}

TEST(StateTreeTest, ProofsShowPresenceAndAbsence) {
  StateTree tree;
  for (int i = 0; i < 2000; ++i) tree.Set(StateKey("n" + std::to_string(i)), Value(i));
  const Hash256 root = tree.Commit();
  for (int i = 0; i < 2000; i += 97) {
    auto proof = tree.Prove(StateKey("n" + std::to_string(i)));
    auto shown = CheckStateProof(root, StateKey("n" + std::to_string(i)), proof);
    ASSERT_TRUE(shown) << shown.error().message;
    ASSERT_TRUE(shown->has_value());
    EXPECT_EQ(**shown, Value(i));
  }
  for (int i = 0; i < 50; ++i) {
    const Hash256 key = StateKey("absent" + std::to_string(i));
    auto shown = CheckStateProof(root, key, tree.Prove(key));
    ASSERT_TRUE(shown) << shown.error().message;
    EXPECT_FALSE(shown->has_value());
  }
  // An empty tree proves everything absent; a one-leaf tree, others absent.
  StateTree empty;
  empty.Commit();
  auto none = CheckStateProof(empty.Root(), StateKey("x"), empty.Prove(StateKey("x")));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(StateTreeTest, TamperedProofsAreRefused) {
  StateTree tree;
  for (int i = 0; i < 500; ++i) tree.Set(StateKey("n" + std::to_string(i)), Value(i));
  const Hash256 root = tree.Commit();
  const Hash256 key = StateKey("n7");
  const StateProof good = tree.Prove(key);
  ASSERT_FALSE(good.siblings.empty());
  // Another value for the name.
  auto p = good;
  p.leaf->value = Value(8);
  EXPECT_FALSE(CheckStateProof(root, key, p));
  // A sibling changed, dropped or added.
  p = good;
  p.siblings[0][0] ^= 1;
  EXPECT_FALSE(CheckStateProof(root, key, p));
  p = good;
  p.siblings.pop_back();
  EXPECT_FALSE(CheckStateProof(root, key, p));
  p = good;
  p.siblings.push_back(Hash256{});
  EXPECT_FALSE(CheckStateProof(root, key, p));
  // The name claimed absent: its leaf dropped, or another key's leaf shown.
  p = good;
  p.leaf.reset();
  EXPECT_FALSE(CheckStateProof(root, key, p));
  p = tree.Prove(StateKey("n8"));
  EXPECT_FALSE(CheckStateProof(root, key, p));
  // Another root.
  EXPECT_FALSE(CheckStateProof(Value(1), key, good));
  // More siblings than a key has bits.
  p = good;
  p.siblings.resize(300);
  EXPECT_FALSE(CheckStateProof(root, key, p));
}

}  // namespace
}  // namespace blockstack::proofs

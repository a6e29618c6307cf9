// NAME_PREORDER (spec bns.md §2.1).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

class NamePreorderTest : public RuleTest {
 protected:
  void SetUp() override { CreateNamespace("test", 0xffffffff); }
};

TEST_F(NamePreorderTest, NeedsAConsensusHashOfTheLast24Blocks) {
  QueuePreorder(alice, "dave.test", 100000, std::string(32, 'f'));
  EXPECT_REJECTED(Mined(), "consensus hash");
  QueuePreorder(alice, "dave.test");
  EXPECT_ACCEPTED(Mined());
}

TEST_F(NamePreorderTest, AConsensusHashIsGoodFor24Blocks) {
  const uint32_t base = *node->db->LastBlock().value();
  const std::string ch = node->Ch(base);
  for (int i = 0; i < 23; ++i) MineAndSync();
  QueuePreorder(alice, "window.test", 100000, ch);
  const uint32_t last_good = MineAndSync();
  EXPECT_EQ(last_good, base + 24);
  EXPECT_ACCEPTED(OpAt(last_good));
  QueuePreorder(bob, "window.test", 100000, ch);
  EXPECT_REJECTED(Mined(), "last 24 blocks");
}

TEST_F(NamePreorderTest, AHashIsPreorderedOnce) {
  QueuePreorder(alice, "carol.test");
  EXPECT_ACCEPTED(Mined());
  QueuePreorder(alice, "carol.test");
  EXPECT_REJECTED(Mined(), "already preordered");
}

TEST_F(NamePreorderTest, ASenderOwnsAt25Names) {
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(OpAt(Register(alice, "n" + std::to_string(i) + ".test")).accepted) << i;
  QueuePreorder(alice, "n25.test");
  EXPECT_REJECTED(Mined(), "25 names");
  QueuePreorder(bob, "n25.test");
  EXPECT_ACCEPTED(Mined());
}

// From epoch 4 a preorder must be registered within 144 blocks. Namespaces cannot
// be bought with BTC in epoch 4, so the namespace is made in epoch 3.
class PreorderExpiryTest : public RuleTest {
 protected:
  PreorderExpiryTest()
      : RuleTest(*EpochSchedule::FromRanges({{3, testutil::ChainFixture::FIRST + 5}, {4, OPEN_ENDED}})) {}
};

TEST_F(PreorderExpiryTest, PreordersExpireAfter144BlocksFromEpoch4) {
  CreateNamespace("late", 0xffffffff);
  while (*node->db->LastBlock().value() <= testutil::ChainFixture::FIRST + 5) MineAndSync();
  EXPECT_ACCEPTED(OpAt(Register(alice, "quick.late")));
  QueuePreorder(bob, "slow.late");
  ASSERT_TRUE(Mined().accepted);
  for (int i = 0; i < 145; ++i) chain.Mine();
  node->Sync();
  QueueRegistration(bob, "slow.late");
  EXPECT_REJECTED(Mined(), "expired");
}

}  // namespace
}  // namespace blockstack::bns

// NAMESPACE_PREORDER, NAMESPACE_REVEAL and NAMESPACE_READY (spec bns.md §2.7-2.9).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

TEST_F(RuleTest, ARevealNeedsAPreorder) {
  QueueReveal(creator, "nopre");
  EXPECT_REJECTED(Mined(), "no namespace preorder");
  QueueNamespacePreorder(creator, "nopre");
  MineAndSync();
  QueueReveal(creator, "nopre");
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RuleTest, ANamespacePreorderPaysTheBurnAddress) {
  QueueNamespacePreorder(creator, "wrong", 4100000000, bob.address);
  EXPECT_REJECTED(Mined(), "burn address");
  QueueNamespacePreorder(creator, "right");
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RuleTest, ARevealChecksThePricePaid) {
  // "poor" (4 characters) costs 40000000 satoshis in epoch 3; the preorder itself
  // does not check the amount.
  QueueNamespacePreorder(creator, "poor", 39999999);
  ASSERT_TRUE(Mined().accepted);
  QueueReveal(creator, "poor");
  EXPECT_REJECTED(Mined(), "costs");
  QueueNamespacePreorder(alice, "rich", 40000000);
  MineAndSync();
  QueueReveal(alice, "rich");
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RuleTest, OnlyTheRevealerMakesANamespaceReady) {
  CreateNamespace("good", 10, /*ready=*/false);
  chain.Op(alice, ops::BuildReady(MAGIC, "good"), {chain.Pay(alice, 5000)});
  EXPECT_REJECTED(Mined(), "not sent by the namespace revealer");
  chain.Op(creator, ops::BuildReady(MAGIC, "good"), {chain.Pay(creator, 5000)});
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RuleTest, ANamespaceIsRevealedOnce) {
  CreateNamespace("good", 10, /*ready=*/false);
  QueueNamespacePreorder(alice, "good");
  MineAndSync();
  QueueReveal(alice, "good");
  EXPECT_REJECTED(Mined(), "already exists");
}

}  // namespace
}  // namespace blockstack::bns

// NAME_REGISTRATION of a name the sender owns: a renewal (spec bns.md §2.2).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

class RenewalTest : public RuleTest {
 protected:
  void SetUp() override {
    CreateNamespace("test", 0xffffffff);
    Register(alice, "alice.test");
  }
};

TEST_F(RenewalTest, OnlyTheOwnerRenews) {
  QueueRenewal(bob, "alice.test", 100000);
  EXPECT_REJECTED(Mined(), "not sent by the owner");
  QueueRenewal(alice, "alice.test", 100000);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RenewalTest, ARenewalPaysThePrice) {
  QueueRenewal(alice, "alice.test", 5);
  EXPECT_REJECTED(Mined(), "costs");
  QueueRenewal(alice, "alice.test", 100000);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RenewalTest, ARenewalPaysTheBurnAddress) {
  QueueRenewal(alice, "alice.test", 100000, bob.address);
  EXPECT_FALSE(Mined().accepted);
  QueueRenewal(alice, "alice.test", 100000);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RuleTest, TheGracePeriodAllowsOnlyRenewal) {
  CreateNamespace("g", 3);  // 3 blocks x multiplier 2, then 5000 blocks of grace (epoch 3)
  uint32_t reg = Register(alice, "alice.g");
  ASSERT_TRUE(OpAt(reg).accepted) << OpAt(reg).reason;
  while (*node->db->LastBlock().value() < reg + 7) MineAndSync();
  // in grace: update, transfer and revoke are refused; nobody else may register it
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.g", LastCh(), H160(1)), {chain.Pay(alice, 5000)});
  EXPECT_REJECTED(Mined(), "grace");
  QueueTransfer(alice, "alice.g", bob);
  EXPECT_REJECTED(Mined(), "grace");
  chain.Op(alice, ops::BuildRevoke(MAGIC, "alice.g"), {chain.Pay(alice, 5000)});
  EXPECT_FALSE(Mined().accepted);
  EXPECT_FALSE(OpAt(Register(bob, "alice.g")).accepted);
  // renewal is allowed, and afterwards updates work again
  QueueRenewal(alice, "alice.g", 100000);
  EXPECT_ACCEPTED(Mined());
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.g", LastCh(), H160(2)), {chain.Pay(alice, 5000)});
  EXPECT_ACCEPTED(Mined());
}

}  // namespace
}  // namespace blockstack::bns

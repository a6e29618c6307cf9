// NAME_UPDATE (spec bns.md §2.3).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

TEST_F(RuleTest, OnlyTheOwnerUpdates) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test");
  chain.Op(bob, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(1)), {chain.Pay(bob, 5000)});
  EXPECT_REJECTED(Mined(), "no name of the sender");
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(1)), {chain.Pay(alice, 5000)});
  EXPECT_ACCEPTED(Mined());
  EXPECT_EQ(node->db->GetName("alice.test").value()->value_hash, H160(1).Hex());
}

}  // namespace
}  // namespace blockstack::bns

// NAME_REVOKE (spec bns.md §2.5).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

TEST_F(RuleTest, OnlyTheOwnerRevokes) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test");
  chain.Op(bob, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(bob, 5000)});
  EXPECT_REJECTED(Mined(), "not sent by the owner");
  chain.Op(alice, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(alice, 5000)});
  EXPECT_ACCEPTED(Mined());
  EXPECT_TRUE(node->db->GetName("alice.test").value()->revoked);
}

TEST_F(RuleTest, ARevokedNameIsRevokedOnce) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test");
  chain.Op(alice, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(alice, 5000)});
  EXPECT_ACCEPTED(Mined());
  chain.Op(alice, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(alice, 5000)});
  EXPECT_REJECTED(Mined(), "already revoked");
}

}  // namespace
}  // namespace blockstack::bns

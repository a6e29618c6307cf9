// NAME_TRANSFER (spec bns.md §2.4).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

class TransferTest : public RuleTest {
 protected:
  void SetUp() override {
    CreateNamespace("test", 0xffffffff);
    Register(alice, "alice.test");
  }
};

TEST_F(TransferTest, OnlyTheOwnerTransfers) {
  QueueTransfer(bob, "alice.test", creator);
  EXPECT_REJECTED(Mined(), "not the owner");
  QueueTransfer(alice, "alice.test", bob);
  EXPECT_ACCEPTED(Mined());
  EXPECT_EQ(node->db->GetName("alice.test").value()->address, bob.address);
}

TEST_F(TransferTest, ANameNobodyRegisteredCannotBeTransferred) {
  QueueTransfer(alice, "nobody.test", bob);
  EXPECT_REJECTED(Mined(), "no such name");
  QueueTransfer(alice, "alice.test", bob);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(TransferTest, ATransferToTheOwnerIsRefused) {
  QueueTransfer(alice, "alice.test", alice);
  EXPECT_REJECTED(Mined(), "sender and recipient are the same");
  QueueTransfer(alice, "alice.test", bob);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(TransferTest, NeedsAConsensusHashOfTheLast24Blocks) {
  std::string old_ch = LastCh();
  for (int i = 0; i < 26; ++i) MineAndSync();
  QueueTransfer(alice, "alice.test", bob, true, old_ch);
  EXPECT_REJECTED(Mined(), "consensus hash");
  QueueTransfer(alice, "alice.test", bob, true);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(TransferTest, ATransferWithoutTheDataClearsTheZonefileHash) {
  Register(bob, "bob.test", H160(7));
  QueueTransfer(bob, "bob.test", alice, /*keep_data=*/true);
  EXPECT_ACCEPTED(Mined());
  EXPECT_EQ(node->db->GetName("bob.test").value()->value_hash, H160(7).Hex());
  QueueTransfer(alice, "bob.test", bob, /*keep_data=*/false);
  EXPECT_ACCEPTED(Mined());
  auto rec = node->db->GetName("bob.test").value();
  EXPECT_EQ(rec->op, ">~");
  EXPECT_FALSE(rec->value_hash);
}

TEST_F(TransferTest, ARecipientOwnsAtMost25Names) {
  for (int i = 0; i < 24; ++i) ASSERT_TRUE(OpAt(Register(bob, "n" + std::to_string(i) + ".test")).accepted) << i;
  Register(creator, "c.test");
  QueueTransfer(alice, "alice.test", bob);
  EXPECT_ACCEPTED(Mined());  // bob's 25th
  QueueTransfer(creator, "c.test", bob);
  EXPECT_REJECTED(Mined(), "25 names");
}

}  // namespace
}  // namespace blockstack::bns

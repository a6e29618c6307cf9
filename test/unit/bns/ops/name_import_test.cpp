// NAME_IMPORT (spec bns.md §2.6).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

class NameImportTest : public RuleTest {
 protected:
  void SetUp() override { CreateNamespace("imp", 0xffffffff, /*ready=*/false); }
  // Queues an import of fqn by who, for bob, with zone-file hash H160(n).
  void QueueImport(const Wallet& who, const std::string& fqn, uint8_t n) {
    chain.Op(who, ops::BuildImport(MAGIC, fqn), {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(n))}});
  }
};

TEST_F(NameImportTest, TheRevealerImportsIntoARevealedNamespace) {
  QueueImport(creator, "bobby.imp", 0x11);
  EXPECT_ACCEPTED(Mined());
  auto rec = node->db->GetName("bobby.imp").value();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->value_hash, H160(0x11).Hex());
  EXPECT_EQ(rec->address, bob.address);
  EXPECT_TRUE(std::holds_alternative<double>(rec->op_fee));
}

TEST_F(NameImportTest, AnImporterOutsideTheKeyringIsRefused) {
  QueueImport(alice, "evil.imp", 1);
  EXPECT_REJECTED(Mined(), "revealer");
  QueueImport(creator, "good.imp", 1);
  EXPECT_ACCEPTED(Mined());
}

TEST_F(NameImportTest, ImportsCloseWhenTheNamespaceIsReady) {
  QueueImport(creator, "first.imp", 2);
  EXPECT_ACCEPTED(Mined());
  chain.Op(creator, ops::BuildReady(MAGIC, "imp"), {chain.Pay(creator, 5000)});
  ASSERT_TRUE(Mined().accepted);
  QueueImport(creator, "late.imp", 2);
  EXPECT_REJECTED(Mined(), "imports are closed");
}

TEST_F(NameImportTest, TheKeyringHoldsTheRevealerAndItsChildren) {
  QueueImport(creator, "first.imp", 3);
  EXPECT_ACCEPTED(Mined());
  auto ring = ops::ImportKeyring(creator.key.GetPublicKey(), 300, chain.rules.Net());
  EXPECT_EQ(ring.size(), 302u);
  EXPECT_EQ(ring[0], creator.address);
  ops::KeyringMemo memo;
  EXPECT_TRUE(memo.Contains(creator.key.GetPublicKey().Hex(), 300, chain.rules.Net(), ring[301]));
  EXPECT_FALSE(memo.Contains(creator.key.GetPublicKey().Hex(), 300, chain.rules.Net(), alice.address));
}

}  // namespace
}  // namespace blockstack::bns

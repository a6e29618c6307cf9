// STACKS payments and TOKEN_TRANSFER (spec bns.md §2.11): without genesis
// accounts every STACKS payment is refused; TOKEN_TRANSFER is an operation only
// from epoch 4.
#include "rule_fixture.h"

#include <cstring>

namespace blockstack::bns {
namespace {

class Epoch4Test : public RuleTest {
 protected:
  Epoch4Test() : RuleTest(EpochSchedule::Single(4)) {}

  // A TOKEN_TRANSFER of `amount` STACKS against the last consensus hash.
  util::Bytes TokenTransfer(uint8_t amount) {
    util::Bytes tt = util::FromHex(LastCh()).value();
    util::Bytes type(19, 0);
    std::memcpy(type.data(), "STACKS", 6);
    tt.insert(tt.end(), type.begin(), type.end());
    tt.resize(tt.size() + 8, 0);
    tt.back() = amount;
    return ops::MakeOpData(MAGIC, ops::TOKEN_TRANSFER, tt);
  }
};

TEST_F(Epoch4Test, AStacksPaidPreorderNeedsAnAccount) {
  util::Bytes body(20, 0x11);
  auto ch = util::FromHex(LastCh()).value();
  body.insert(body.end(), ch.begin(), ch.end());
  util::Bytes tokens(8 + 19, 0);
  tokens[7] = 100;
  std::memcpy(tokens.data() + 8, "STACKS", 6);
  body.insert(body.end(), tokens.begin(), tokens.end());
  chain.Op(alice, ops::MakeOpData(MAGIC, ops::NAME_PREORDER, body),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 1)});
  EXPECT_REJECTED(Mined(), "STACKS");
  // Paid in BTC, the same preorder is accepted.
  QueuePreorder(alice, "btc.test");
  EXPECT_ACCEPTED(Mined());
}

TEST_F(Epoch4Test, NamespacesCannotBeBoughtWithBtc) {
  auto hash = *HashName("late", creator.script, creator.address);
  util::Bytes ns_body(hash.begin(), hash.end());
  auto ch = util::FromHex(LastCh()).value();
  ns_body.insert(ns_body.end(), ch.begin(), ch.end());
  ns_body.resize(ns_body.size() + 8, 0);
  chain.Op(creator, ops::MakeOpData(MAGIC, ops::NAMESPACE_PREORDER, ns_body),
           {chain.Pay(creator, 5000), chain.Pay(chain.rules.BurnAddress(), 4100000000)});
  EXPECT_REJECTED(Mined(), "STACKS");
}

TEST_F(Epoch4Test, ATokenTransferIsAnOperationRefusedWithoutAccounts) {
  chain.Op(alice, TokenTransfer(5), {chain.Pay(bob, 5500)});
  uint32_t h = MineAndSync();
  ASSERT_EQ(node->db->OpsAt(h)->size(), 1u);
  EXPECT_EQ(OpAt(h).opcode, "TOKEN_TRANSFER");
  EXPECT_REJECTED(OpAt(h), "no STACKS account");
  chain.Op(alice, TokenTransfer(0), {chain.Pay(bob, 5500)});
  EXPECT_REJECTED(Mined(), "zero");
}

TEST_F(RuleTest, ATokenTransferIsNotAnOperationBeforeEpoch4) {
  util::Bytes tt = util::FromHex(LastCh()).value();
  tt.resize(43, 0);
  chain.Op(alice, ops::MakeOpData(MAGIC, ops::TOKEN_TRANSFER, tt), {chain.Pay(bob, 5500)});
  EXPECT_TRUE(node->db->OpsAt(MineAndSync())->empty());
}

}  // namespace
}  // namespace blockstack::bns

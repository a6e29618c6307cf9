// NAME_REGISTRATION of a new name (spec bns.md §2.2).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

class RegistrationTest : public RuleTest {
 protected:
  void SetUp() override { CreateNamespace("test", 0xffffffff); }
};

TEST_F(RegistrationTest, NeedsAPreorder) {
  QueueRegistration(bob, "nopre.test");
  EXPECT_REJECTED(Mined(), "no preorder");
  EXPECT_ACCEPTED(OpAt(Register(bob, "nopre.test")));
}

TEST_F(RegistrationTest, ThePreorderPaysThePrice) {
  // coeff 1, base 2, bucket 1: a 1-character name costs 200 * 0.1 = 20
  EXPECT_REJECTED(OpAt(Register(alice, "x.test", std::nullopt, 9)), "costs");
  EXPECT_ACCEPTED(OpAt(Register(alice, "y.test", std::nullopt, 20)));
}

TEST_F(RegistrationTest, OnlyThePreordererRegisters) {
  QueuePreorder(alice, "carol.test");
  MineAndSync();
  // The preorder hash binds sender and recipient: bob cannot use alice's.
  QueueRegistration(bob, "carol.test", &alice);
  EXPECT_FALSE(Mined().accepted);
  QueueRegistration(alice, "carol.test");
  EXPECT_ACCEPTED(Mined());
}

TEST_F(RegistrationTest, ANameIsRegisteredOnce) {
  EXPECT_ACCEPTED(OpAt(Register(alice, "eve.test")));
  EXPECT_REJECTED(OpAt(Register(bob, "eve.test")), "already registered");
}

TEST_F(RegistrationTest, CollidingRegistrationsInOneBlockAreAllRejected) {
  for (const Wallet* w : {&alice, &bob}) QueuePreorder(*w, "same.test");
  MineAndSync();
  for (const Wallet* w : {&alice, &bob}) QueueRegistration(*w, "same.test");
  uint32_t h = MineAndSync();
  EXPECT_REJECTED(OpAt(h, 0), "twice in one block");
  EXPECT_REJECTED(OpAt(h, 1), "twice in one block");
  EXPECT_FALSE(node->db->GetName("same.test").value().has_value());
  EXPECT_ACCEPTED(OpAt(Register(alice, "other.test")));
}

// Only creations that pass their check claim a key: a second registration of the
// same name without a preorder does not make the first collide.
TEST_F(RegistrationTest, AnInvalidSecondClaimDoesNotCollide) {
  QueuePreorder(alice, "once.test");
  MineAndSync();
  for (const Wallet* w : {&alice, &bob}) QueueRegistration(*w, "once.test");  // bob never preordered it
  uint32_t h = MineAndSync();
  EXPECT_ACCEPTED(OpAt(h, 0));
  EXPECT_REJECTED(OpAt(h, 1), "no preorder");
  EXPECT_EQ(node->db->GetName("once.test").value()->address, alice.address);
}

TEST_F(RegistrationTest, ARecipientOwnsAtMost25Names) {
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(OpAt(Register(alice, "n" + std::to_string(i) + ".test")).accepted) << i;
  // bob preorders a name for alice, then for himself.
  for (const Wallet* to : {&alice, &bob}) {
    chain.Op(bob, ops::BuildNamePreorder(MAGIC, *HashName("gift.test", bob.script, to->address), LastCh()),
             {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
    MineAndSync();
  }
  QueueRegistration(bob, "gift.test", &alice);
  EXPECT_REJECTED(Mined(), "recipient already owns 25 names");
  QueueRegistration(bob, "gift.test");
  EXPECT_ACCEPTED(Mined());
}

class UnreadyNamespaceTest : public RuleTest {
 protected:
  void SetUp() override { CreateNamespace("early", 0xffffffff, /*ready=*/false); }
  void Ready() {
    chain.Op(creator, ops::BuildReady(MAGIC, "early"), {chain.Pay(creator, 5000)});
    ASSERT_TRUE(Mined().accepted);
  }
};

TEST_F(UnreadyNamespaceTest, RegistrationWaitsForReady) {
  EXPECT_REJECTED(OpAt(Register(alice, "soon.early")), "not ready");
  Ready();
  EXPECT_ACCEPTED(OpAt(Register(bob, "later.early")));
}

TEST_F(UnreadyNamespaceTest, APreorderBeforeReadyCannotBeRegistered) {
  QueuePreorder(alice, "first.early");
  ASSERT_TRUE(Mined().accepted);
  Ready();
  QueueRegistration(alice, "first.early");
  EXPECT_REJECTED(Mined(), "predates");
  EXPECT_ACCEPTED(OpAt(Register(bob, "second.early")));
}

TEST_F(RuleTest, APayToCreatorNamespaceTakesFeesToTheCreator) {
  QueueNamespacePreorder(creator, "pay");
  MineAndSync();
  auto reveal = CheapNamespace("pay", 0xffffffff);
  reveal.version = NAMESPACE_VERSION_PAY_TO_CREATOR;
  chain.Op(creator, ops::BuildReveal(MAGIC, reveal), {chain.Pay(creator, 5500), chain.Pay(creator, 5000)});
  ASSERT_TRUE(Mined().accepted);
  chain.Op(creator, ops::BuildReady(MAGIC, "pay"), {chain.Pay(creator, 5000)});
  MineAndSync();
  EXPECT_REJECTED(OpAt(Register(alice, "burned.pay")), "instead of " + creator.address);
  QueuePreorder(bob, "paid.pay", 100000, std::nullopt, creator.address);
  MineAndSync();
  QueueRegistration(bob, "paid.pay");
  EXPECT_ACCEPTED(Mined());
}

// Expiry and re-registration in epoch 2 (no grace period).
class ExpiryTest : public RuleTest {
 protected:
  ExpiryTest() : RuleTest(EpochSchedule::Single(2)) {}
};

TEST_F(ExpiryTest, AnExpiredNameCanBeRegisteredBySomeoneElse) {
  CreateNamespace("exp", 5);  // 5 blocks x multiplier 2 = 10 blocks
  uint32_t h = Register(alice, "short.exp");
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  EXPECT_REJECTED(OpAt(Register(creator, "short.exp")), "already registered");
  for (int i = 0; i < 10; ++i) MineAndSync();
  chain.Op(alice, ops::BuildUpdate(MAGIC, "short.exp", LastCh(), H160(9)), {chain.Pay(alice, 5000)});
  EXPECT_FALSE(Mined().accepted);
  uint32_t h3 = Register(bob, "short.exp");
  ASSERT_TRUE(OpAt(h3).accepted) << OpAt(h3).reason;
  auto rec = node->db->GetName("short.exp");
  EXPECT_EQ((*rec)->address, bob.address);
  EXPECT_EQ((*rec)->first_registered, h3);
  // the state at the first registration's height is still alice's
  auto past = node->db->GetNameAt("short.exp", h);
  ASSERT_TRUE(past && *past);
  EXPECT_EQ((*past)->address, alice.address);
}

}  // namespace
}  // namespace blockstack::bns

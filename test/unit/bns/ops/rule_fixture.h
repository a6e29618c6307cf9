// What the per-rule tests share: a synthetic chain indexed by a real engine
// (chain_fixture.h), the operations built as a client builds them, and checks of
// one operation's outcome. Each test under bns/ops/ shows one consensus rule
// accepting and rejecting.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include <bns/names.h>
#include <bns/ops/ops.h>

#include "bns/chain_fixture.h"

namespace blockstack::bns {

using testutil::CheapNamespace;
using testutil::H160;
using testutil::MAGIC;
using testutil::Wallet;

class RuleTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  explicit RuleTest(EpochSchedule epochs = EpochSchedule::Single(3)) : Scenario(std::move(epochs)) {}

  // Mines the queued operations; the outcome of the first one.
  db::OpRow Mined() { return OpAt(MineAndSync()); }

  // Queues a NAME_PREORDER of fqn by who, paying fee to pay_to (default: the
  // burn address), against ch (default: the last block's consensus hash).
  void QueuePreorder(const Wallet& who, const std::string& fqn, int64_t fee = 100000,
                     std::optional<std::string> ch = std::nullopt, std::optional<std::string> pay_to = std::nullopt) {
    auto hash = *HashName(fqn, who.script, who.address);
    chain.Op(who, ops::BuildNamePreorder(MAGIC, hash, ch.value_or(LastCh())),
             {chain.Pay(who, 5000), chain.Pay(pay_to.value_or(chain.rules.BurnAddress()), fee)});
  }
  // Queues a NAME_REGISTRATION of fqn sent by who for recipient (default: who).
  void QueueRegistration(const Wallet& who, const std::string& fqn, const Wallet* recipient = nullptr) {
    const Wallet& to = recipient ? *recipient : who;
    chain.Op(who, ops::BuildRegistration(MAGIC, fqn, std::nullopt), {chain.Pay(to, 5500), chain.Pay(who, 5000)});
  }
  // Queues a renewal of fqn by who, paying fee to pay_to (default: the burn address).
  void QueueRenewal(const Wallet& who, const std::string& fqn, int64_t fee,
                    std::optional<std::string> pay_to = std::nullopt) {
    chain.Op(who, ops::BuildRegistration(MAGIC, fqn, std::nullopt),
             {chain.Pay(who, 5500), chain.Pay(who, 5500), chain.Pay(pay_to.value_or(chain.rules.BurnAddress()), fee)});
  }
  // Queues a NAME_TRANSFER of fqn by who to recipient.
  void QueueTransfer(const Wallet& who, const std::string& fqn, const Wallet& recipient, bool keep_data = true,
                     std::optional<std::string> ch = std::nullopt) {
    chain.Op(who, ops::BuildTransfer(MAGIC, fqn, keep_data, ch.value_or(LastCh())),
             {chain.Pay(recipient, 5500), chain.Pay(who, 5000)});
  }
  // Queues a NAMESPACE_PREORDER of id by who, paying fee to pay_to (default: burn).
  void QueueNamespacePreorder(const Wallet& who, const std::string& id, int64_t fee = 4100000000,
                              std::optional<std::string> pay_to = std::nullopt) {
    auto hash = *HashName(id, who.script, who.address);
    chain.Op(who, ops::BuildNamespacePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(who, 5000), chain.Pay(pay_to.value_or(chain.rules.BurnAddress()), fee)});
  }
  void QueueReveal(const Wallet& who, const std::string& id) {
    chain.Op(who, ops::BuildReveal(MAGIC, CheapNamespace(id, 10)), {chain.Pay(who, 5500), chain.Pay(who, 5000)});
  }
};

// The operation was accepted (its reason shown when not).
#define EXPECT_ACCEPTED(op) EXPECT_TRUE((op).accepted) << (op).reason
// The operation was rejected, for a reason that says `why`.
#define EXPECT_REJECTED(op, why)                                                        \
  do {                                                                                  \
    const auto& rejected_op_ = (op);                                                    \
    EXPECT_FALSE(rejected_op_.accepted);                                                \
    EXPECT_NE(rejected_op_.reason.find(why), std::string::npos) << rejected_op_.reason; \
  } while (false)

}  // namespace blockstack::bns

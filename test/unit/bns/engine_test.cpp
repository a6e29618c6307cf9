#include <bns/db/engine.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>

#include <bns/names.h>
#include <bns/ops/ops.h>
#include <bns/records_json.h>

#include "chain_fixture.h"

namespace blockstack::bns {
namespace {

using db::Engine;
using testutil::ChainFixture;
using testutil::Node;
using testutil::Wallet;

using testutil::CheapNamespace;
using testutil::H160;
using testutil::MAGIC;

class EngineTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  explicit EngineTest(EpochSchedule epochs = EpochSchedule::Single(3)) : Scenario(std::move(epochs)) {}

  // A branch from block `fork`: bob preorders bob.test (against the consensus
  // hash `ch`) and registers it, then `more` empty blocks.
  void MineBobsBranch(uint32_t fork, const std::string& ch, int more) {
    chain.Fork(fork);
    auto hash = *HashName("bob.test", bob.script, bob.address);
    chain.Op(bob, ops::BuildNamePreorder(MAGIC, hash, ch),
             {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
    chain.Mine();
    chain.Op(bob, ops::BuildRegistration(MAGIC, "bob.test", H160(2)), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
    chain.Mine();
    for (int i = 0; i < more; ++i) chain.Mine();
  }
};

}  // namespace

namespace {

TEST_F(EngineTest, FullLifecycle) {
  CreateNamespace("test", 0xffffffff);
  auto ns = node->db->GetNamespace("test");
  ASSERT_TRUE(ns && *ns);
  EXPECT_TRUE((*ns)->IsReady());
  EXPECT_EQ((*ns)->recipient_address, creator.address);

  uint32_t h = Register(alice, "alice.test", H160(0xaa));
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  auto rec = node->db->GetName("alice.test");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->address, alice.address);
  EXPECT_EQ((*rec)->value_hash, H160(0xaa).Hex());
  EXPECT_EQ((*rec)->first_registered, h);
  EXPECT_EQ((*rec)->op, ":");
  EXPECT_FALSE(node->db->GetPreorder((*rec)->preorder_hash).value().has_value()) << "preorder consumed";

  // update
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(0xbb)), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  EXPECT_EQ(node->db->GetName("alice.test").value()->value_hash, H160(0xbb).Hex());

  // transfer to bob, keeping the zone-file hash
  chain.Op(alice, ops::BuildTransfer(MAGIC, "alice.test", true, LastCh()), {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  rec = node->db->GetName("alice.test");
  EXPECT_EQ((*rec)->address, bob.address);
  EXPECT_EQ((*rec)->op, ">>");
  EXPECT_EQ((*rec)->value_hash, H160(0xbb).Hex());

  // alice can no longer update it
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(0xcc)), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // renewal by bob, setting a new hash
  chain.Op(bob, ops::BuildRegistration(MAGIC, "alice.test", H160(0xdd)),
           {chain.Pay(bob, 5500), chain.Pay(bob, 5500), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  EXPECT_EQ(OpAt(h).opcode, "NAME_RENEWAL");
  rec = node->db->GetName("alice.test");
  EXPECT_EQ((*rec)->last_renewed, h);
  EXPECT_EQ((*rec)->value_hash, H160(0xdd).Hex());

  // every hash the name ever had finds it; one it never had, nothing
  for (int b : {0xaa, 0xbb, 0xdd}) {
    EXPECT_EQ(node->db->HistoryIdsWithValueHash(H160(b).Hex()).value(), std::vector<std::string>{"alice.test"}) << b;
  }
  EXPECT_TRUE(node->db->HistoryIdsWithValueHash(H160(0xcc).Hex()).value().empty());

  // revoke
  chain.Op(bob, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(bob, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  rec = node->db->GetName("alice.test");
  EXPECT_TRUE((*rec)->revoked);
  EXPECT_FALSE((*rec)->value_hash.has_value());

  // revoked: no more updates, transfers or renewals
  chain.Op(bob, ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(0xee)), {chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // history: newest first, and the state at a past height
  auto hist = node->db->History("alice.test", 0);
  ASSERT_TRUE(hist);
  ASSERT_GE(hist->size(), 6u);
  EXPECT_EQ((*hist)[0].opcode, "NAME_REVOKE");
  EXPECT_EQ(hist->back().opcode, "NAME_PREORDER");
}

TEST_F(EngineTest, RegistrationRules) {
  CreateNamespace("test", 0xffffffff);
  // no preorder
  chain.Op(bob, ops::BuildRegistration(MAGIC, "nopre.test", std::nullopt), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("no preorder"), std::string::npos);

  // fee too low (a 1-char name costs more): coeff 1 base 2 bucket 1 -> 200 * 0.1 = 20; pay 9
  h = Register(alice, "x.test", std::nullopt, 9);
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("costs"), std::string::npos);

  // registering someone else's preorder fails: the hash binds sender and recipient
  auto hash = *HashName("carol.test", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  MineAndSync();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "carol.test", std::nullopt), {chain.Pay(alice, 5500), chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // the same name preordered twice is refused
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("already preordered"), std::string::npos);

  // a bad consensus hash is refused
  auto hash2 = *HashName("dave.test", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash2, std::string(32, 'f')),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("consensus hash"), std::string::npos);

  // an already registered name cannot be registered again
  h = Register(alice, "eve.test");
  ASSERT_TRUE(OpAt(h).accepted);
  h = Register(bob, "eve.test");
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("already registered"), std::string::npos);
}

TEST_F(EngineTest, CollidingRegistrationsInOneBlockAreAllRejected) {
  CreateNamespace("test", 0xffffffff);
  for (const Wallet* w : {&alice, &bob}) {
    auto hash = *HashName("same.test", w->script, w->address);
    chain.Op(*w, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(*w, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  }
  MineAndSync();
  for (const Wallet* w : {&alice, &bob}) {
    chain.Op(*w, ops::BuildRegistration(MAGIC, "same.test", std::nullopt), {chain.Pay(*w, 5500), chain.Pay(*w, 5000)});
  }
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h, 0).accepted);
  EXPECT_FALSE(OpAt(h, 1).accepted);
  EXPECT_FALSE(node->db->GetName("same.test").value().has_value());
}

// Only creations that pass their check claim a key: a second registration of the
// same name without a preorder does not make the first collide.
TEST_F(EngineTest, AnInvalidSecondClaimDoesNotCollide) {
  CreateNamespace("test", 0xffffffff);
  auto hash = *HashName("once.test", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  MineAndSync();
  for (const Wallet* w : {&alice, &bob}) {  // bob never preordered it
    chain.Op(*w, ops::BuildRegistration(MAGIC, "once.test", std::nullopt), {chain.Pay(*w, 5500), chain.Pay(*w, 5000)});
  }
  uint32_t h = MineAndSync();
  EXPECT_TRUE(OpAt(h, 0).accepted) << OpAt(h, 0).reason;
  EXPECT_FALSE(OpAt(h, 1).accepted);
  auto rec = node->db->GetName("once.test");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->address, alice.address);
}

TEST_F(EngineTest, NamespaceNotReadyRefusesRegistrationButAllowsImport) {
  CreateNamespace("imp", 0xffffffff, /*ready=*/false);
  // import from the revealer: recipient bob, zone-file hash in output 2
  chain.Op(creator, ops::BuildImport(MAGIC, "bobby.imp"),
           {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(0x11))}});
  uint32_t h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  auto rec = node->db->GetName("bobby.imp");
  ASSERT_TRUE(rec && *rec);
  EXPECT_EQ((*rec)->value_hash, H160(0x11).Hex());
  EXPECT_EQ((*rec)->address, bob.address);
  EXPECT_TRUE(std::holds_alternative<double>((*rec)->op_fee));

  // an import from a key outside the keyring is refused
  chain.Op(alice, ops::BuildImport(MAGIC, "evil.imp"), {chain.Pay(alice, 5500), {5500, bitcoin::MakeP2pkhScript(H160(1))}});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);

  // registration before ready is refused
  h = Register(alice, "early.imp");
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("not ready"), std::string::npos);

  // ready; then imports are closed
  chain.Op(creator, ops::BuildReady(MAGIC, "imp"), {chain.Pay(creator, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted);
  chain.Op(creator, ops::BuildImport(MAGIC, "late.imp"), {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(2))}});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
}

TEST_F(EngineTest, ImportKeyringHoldsTheRevealerAndItsChildren) {
  CreateNamespace("kr", 0xffffffff, /*ready=*/false);
  chain.Op(creator, ops::BuildImport(MAGIC, "first.kr"), {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(3))}});
  uint32_t h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  auto ring = ops::ImportKeyring(creator.key.GetPublicKey(), 300, chain.rules.Net());
  EXPECT_EQ(ring.size(), 302u);
  EXPECT_EQ(ring[0], creator.address);
}

TEST_F(EngineTest, ConsensusHashesMatchOnASecondNodeAndChangeWithOps) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(1));
  chain.Mine();
  node->Sync();
  Node second(chain.source, chain.rules);
  second.Sync();
  uint32_t last = *node->db->LastBlock().value();
  std::set<std::string> distinct;
  for (uint32_t h = ChainFixture::FIRST; h <= last; ++h) {
    EXPECT_EQ(node->Ch(h), second.Ch(h)) << h;
    distinct.insert(node->Ch(h));
  }
  EXPECT_EQ(distinct.size(), last - ChainFixture::FIRST + 1) << "every block has its own consensus hash";
}

std::string Dump(db::NameDb& db) {
  std::string out;
  auto names = db.AllNames(0, 100000);
  for (const auto& n : *names) out += ToJson(n).dump() + "\n";
  auto namespaces = db.AllNamespaces();
  for (const auto& n : *namespaces) out += ToJson(n).dump() + "\n";
  uint32_t last = *db.LastBlock().value();
  for (uint32_t h = ChainFixture::FIRST; h <= last; ++h) {
    auto snap = *db.SnapshotAt(h);
    if (!snap) return "missing snapshot at " + std::to_string(h);
    out += std::to_string(h) + " " + snap->consensus_hash + " " + snap->block_hash + "\n";
    auto ops_at = db.OpsAt(h);
    for (const auto& op : *ops_at) out += op.txid + op.opcode + (op.accepted ? "+" : "-") + op.reason + "\n";
  }
  for (const auto& n : *names) {
    auto rows = db.History(n.name, 0, 1000);
    for (const auto& row : *rows) out += row.data + "\n";
  }
  return out;
}

TEST_F(EngineTest, ReorgGivesTheSameStateAsIndexingTheNewBranch) {
  CreateNamespace("test", 0xffffffff);
  uint32_t fork = *node->db->LastBlock().value();
  std::string ch_at_fork = LastCh();
  // branch A: alice registers a name
  Register(alice, "alice.test", H160(1));
  MineAndSync();
  ASSERT_TRUE(node->db->GetName("alice.test").value().has_value());

  // branch B from the fork point: bob registers a different name, and two more blocks
  MineBobsBranch(fork, ch_at_fork, 2);
  node->Sync();
  EXPECT_FALSE(node->db->GetName("alice.test").value().has_value());
  ASSERT_TRUE(node->db->GetName("bob.test").value().has_value());

  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Dump(*node->db), Dump(*fresh.db));
}

// A catch-up longer than the kept undo depth writes no undo for the blocks that
// will be too deep to take back by the time it ends. A reorganisation at its tip
// still ends equal to a node that indexed the new branch; one below the kept
// depth is refused.
TEST_F(EngineTest, ALongCatchUpStillTakesBackAReorganisationAtItsTip) {
  CreateNamespace("test", 0xffffffff);
  const uint32_t seen = *node->db->LastBlock().value();
  Register(alice, "alice.test", H160(1));
  // 1,100 blocks the node has not seen, then a catch-up over all of them.
  for (int i = 0; i < 1100; ++i) chain.Mine();
  const uint32_t tip = chain.Mine();
  node->Sync();
  ASSERT_EQ(*node->db->LastBlock().value(), tip);
  EXPECT_EQ(*node->db->GetMeta("undo_from"), std::optional<std::string>(std::to_string(tip - 999)));

  MineBobsBranch(tip - 2, node->Ch(tip - 2), 1);
  node->Sync();
  ASSERT_TRUE(node->db->GetName("bob.test").value().has_value());
  Node fresh(chain.source, chain.rules);
  fresh.Sync();
  EXPECT_EQ(Dump(*node->db), Dump(*fresh.db));

  // A branch from below the kept depth: the blocks that keep undo are taken back,
  // the first one below them is refused, and the blocks below stay.
  const auto undo_from = node->db->GetMeta("undo_from").value();
  ASSERT_TRUE(undo_from);
  chain.Fork(seen + 10);
  for (int i = 0; i < 1200; ++i) chain.Mine();
  EXPECT_THROW(node->Sync(), std::runtime_error);
  const uint32_t left = *node->db->LastBlock().value();
  EXPECT_EQ(std::to_string(left + 1), *undo_from);
  EXPECT_EQ(node->Ch(left), fresh.Ch(left));
}

TEST_F(EngineTest, RestartResumesFromTheLastBlock) {
  CreateNamespace("test", 0xffffffff);
  uint32_t last = *node->db->LastBlock().value();
  std::string dir = node->dir;
  node->scanner.reset();
  node->engine.reset();
  node->db.reset();
  node->db = std::move(*db::NameDb::Open(dir + "/names.db"));
  node->engine = std::make_unique<Engine>(*node->db, chain.rules);
  virtualchain::ScanOptions o;
  o.first_block = ChainFixture::FIRST;
  o.confirmations = 0;
  o.network = chain.rules.network;
  node->scanner = std::make_unique<virtualchain::Scanner>(chain.source, *node->engine, o);
  EXPECT_EQ(*node->db->LastBlock().value(), last);
  Register(alice, "alice.test");
  EXPECT_TRUE(node->db->GetName("alice.test").value().has_value());
}

TEST_F(EngineTest, RenewalRules) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test");
  auto renew = [&](const Wallet& who, int64_t fee) {
    chain.Op(who, ops::BuildRegistration(MAGIC, "alice.test", std::nullopt),
             {chain.Pay(who, 5500), chain.Pay(who, 5500), chain.Pay(chain.rules.BurnAddress(), fee)});
    return MineAndSync();
  };
  uint32_t h = renew(bob, 100000);
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("not sent by the owner"), std::string::npos);
  h = renew(alice, 5);
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("costs"), std::string::npos);
  h = renew(alice, 100000);
  EXPECT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  // a renewal paying someone other than the burn address is refused
  chain.Op(alice, ops::BuildRegistration(MAGIC, "alice.test", std::nullopt),
           {chain.Pay(alice, 5500), chain.Pay(alice, 5500), chain.Pay(bob, 100000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
}

TEST_F(EngineTest, TransferAndRevokeRules) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test");
  // not the owner
  chain.Op(bob, ops::BuildTransfer(MAGIC, "alice.test", true, LastCh()), {chain.Pay(creator, 5500), chain.Pay(bob, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("not the owner"), std::string::npos) << OpAt(h).reason;
  // a name nobody registered
  chain.Op(alice, ops::BuildTransfer(MAGIC, "nobody.test", true, LastCh()), {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("no such name"), std::string::npos) << OpAt(h).reason;
  // to itself
  chain.Op(alice, ops::BuildTransfer(MAGIC, "alice.test", true, LastCh()), {chain.Pay(alice, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  // a consensus hash older than 24 blocks
  std::string old_ch = LastCh();
  for (int i = 0; i < 26; ++i) MineAndSync();
  chain.Op(alice, ops::BuildTransfer(MAGIC, "alice.test", false, old_ch), {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("consensus hash"), std::string::npos);
  // removing the data on transfer clears the hash
  chain.Op(alice, ops::BuildTransfer(MAGIC, "alice.test", false, LastCh()), {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  EXPECT_EQ(node->db->GetName("alice.test").value()->op, ">~");
  // revoke by the former owner is refused, by the new owner accepted
  chain.Op(alice, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  chain.Op(bob, ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
}

TEST_F(EngineTest, NamespaceRules) {
  // reveal without a preorder
  chain.Op(creator, ops::BuildReveal(MAGIC, CheapNamespace("nopre", 10)), {chain.Pay(creator, 5500), chain.Pay(creator, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  // namespace fee to the wrong address
  auto hash = *HashName("wrong", creator.script, creator.address);
  chain.Op(creator, ops::BuildNamespacePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(creator, 5000), chain.Pay(bob, 4100000000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("burn address"), std::string::npos);
  // underpaid: "poor" (4 chars) costs 40000000 satoshis in epoch 3
  auto poor = *HashName("poor", creator.script, creator.address);
  chain.Op(creator, ops::BuildNamespacePreorder(MAGIC, poor, LastCh()),
           {chain.Pay(creator, 5000), chain.Pay(chain.rules.BurnAddress(), 39999999)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << "the preorder itself does not check the amount";
  chain.Op(creator, ops::BuildReveal(MAGIC, CheapNamespace("poor", 10)), {chain.Pay(creator, 5500), chain.Pay(creator, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("costs"), std::string::npos);
  // a proper namespace; ready only by the revealer; revealing it again is refused
  CreateNamespace("good", 10, /*ready=*/false);
  chain.Op(alice, ops::BuildReady(MAGIC, "good"), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  auto again = *HashName("good", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamespacePreorder(MAGIC, again, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 4100000000)});
  MineAndSync();
  chain.Op(alice, ops::BuildReveal(MAGIC, CheapNamespace("good", 10)), {chain.Pay(alice, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("already exists"), std::string::npos);
}

TEST_F(EngineTest, PayToCreatorNamespaceSendsFeesToTheCreator) {
  auto hash = *HashName("pay", creator.script, creator.address);
  chain.Op(creator, ops::BuildNamespacePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(creator, 5000), chain.Pay(chain.rules.BurnAddress(), 4100000000)});
  MineAndSync();
  auto reveal = CheapNamespace("pay", 0xffffffff);
  reveal.version = NAMESPACE_VERSION_PAY_TO_CREATOR;
  chain.Op(creator, ops::BuildReveal(MAGIC, reveal), {chain.Pay(creator, 5500), chain.Pay(creator, 5000)});
  uint32_t h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  chain.Op(creator, ops::BuildReady(MAGIC, "pay"), {chain.Pay(creator, 5000)});
  MineAndSync();
  // paying the burn address is wrong while the creator receives fees
  h = Register(alice, "burned.pay");
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("instead of " + creator.address), std::string::npos);
  // paying the creator is right
  auto nh = *HashName("paid.pay", bob.script, bob.address);
  chain.Op(bob, ops::BuildNamePreorder(MAGIC, nh, LastCh()), {chain.Pay(bob, 5000), chain.Pay(creator.address, 100000)});
  MineAndSync();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "paid.pay", std::nullopt), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
}

TEST_F(EngineTest, NameQuotaOf25PerOwner) {
  CreateNamespace("q", 0xffffffff);
  for (int i = 0; i < 25; ++i) {
    uint32_t h = Register(alice, "n" + std::to_string(i) + ".q");
    ASSERT_TRUE(OpAt(h).accepted) << i << " " << OpAt(h).reason;
  }
  auto hash = *HashName("n25.q", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("25 names"), std::string::npos);
  // bob can still receive one more name... but a transfer to alice is refused
  Register(bob, "b.q");
  chain.Op(bob, ops::BuildTransfer(MAGIC, "b.q", true, LastCh()), {chain.Pay(alice, 5500), chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("25 names"), std::string::npos);
}

TEST_F(EngineTest, AFundingTransactionIsFetchedOnce) {
  // alice's operations all spend outputs of her one funding transaction: it is
  // fetched for the first of them and taken from the scanner's cache afterwards,
  // within a block and across blocks, and every operation still gets its sender.
  CreateNamespace("f", 0xffffffff);
  const std::size_t before = chain.source.TransactionsFetched();
  auto preorder = [&](const std::string& name) {
    auto hash = *HashName(name, alice.script, alice.address);
    chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  };
  preorder("a.f");
  preorder("b.f");
  preorder("c.f");
  uint32_t h1 = MineAndSync();
  preorder("d.f");
  uint32_t h2 = MineAndSync();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(OpAt(h1, i).accepted) << OpAt(h1, i).reason;
    EXPECT_NE(OpAt(h1, i).senders.find(alice.script_hex), std::string::npos);
  }
  EXPECT_TRUE(OpAt(h2).accepted) << OpAt(h2).reason;
  EXPECT_NE(OpAt(h2).senders.find(alice.script_hex), std::string::npos);
  // One fetch for the four at most (none when an earlier block already brought
  // alice's funding transaction into the cache); without the cache, four.
  EXPECT_LE(chain.source.TransactionsFetched() - before, 1u);
}

// Far behind the tip the scanner tells the engine it is catching up, and the name
// database leaves out its index of zone-file hashes (lookups answer Unavailable);
// at the tip the index is built again and finds every hash, old and new.
TEST_F(EngineTest, CatchingUpLeavesOutTheZonefileHashIndexUntilTheTip) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(0xa1));
  ASSERT_TRUE(*node->db->IsValueHashKnown(H160(0xa1).Hex()));
  // Five blocks the node has not seen, the last with bob's registration.
  for (int i = 0; i < 3; ++i) chain.Mine();
  auto hash = *HashName("bob.test", bob.script, bob.address);
  chain.Op(bob, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  chain.Mine();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "bob.test", H160(0xb2)), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  const uint32_t tip = chain.Mine();

  struct Recording final : virtualchain::StateEngine {
    Engine& inner;
    db::NameDb& db;
    std::vector<bool> told;
    std::vector<bool> index_missing;  // per block processed
    Recording(Engine& e, db::NameDb& d) : inner(e), db(d) {}
    util::Result<std::optional<uint32_t>> LastBlock() override { return inner.LastBlock(); }
    util::Result<std::optional<util::Hash256>> StoredBlockHash(uint32_t h) override { return inner.StoredBlockHash(h); }
    util::Status ProcessBlock(uint32_t h, const util::Hash256& hash, const std::vector<virtualchain::FilteredTx>& txs) override {
      auto known = db.IsValueHashKnown(H160(0xa1).Hex());
      index_missing.push_back(!known && known.error().code == util::ErrorCode::Unavailable);
      return inner.ProcessBlock(h, hash, txs);
    }
    util::Status UndoBlock(uint32_t h) override { return inner.UndoBlock(h); }
    util::Status SetCatchingUp(bool catching_up) override {
      told.push_back(catching_up);
      return inner.SetCatchingUp(catching_up);
    }
  } recording(*node->engine, *node->db);
  virtualchain::ScanOptions o;
  o.first_block = ChainFixture::FIRST;
  o.confirmations = 0;
  o.network = chain.rules.network;
  o.catch_up_blocks = 3;
  o.batch_blocks = 1;
  virtualchain::Scanner scanner(chain.source, recording, o);
  std::atomic<bool> stop{false};
  auto last = scanner.CatchUp(stop);
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(**last, tip);
  // Told once, with more than 3 blocks left, then told it reached the tip.
  EXPECT_EQ(recording.told, (std::vector<bool>{true, false}));
  EXPECT_EQ(recording.index_missing, (std::vector<bool>{true, true, true, true, true}));
  Expect(tip, "bob's registration");
  EXPECT_TRUE(*node->db->IsValueHashKnown(H160(0xa1).Hex()));
  EXPECT_TRUE(*node->db->IsValueHashKnown(H160(0xb2).Hex()));
  EXPECT_EQ(*node->db->HistoryIdsWithValueHash(H160(0xb2).Hex()), std::vector<std::string>{"bob.test"});
  EXPECT_FALSE(*node->db->IsValueHashKnown(H160(0xc3).Hex()));
}

// A preorder's consensus hash must be one of the 24 blocks before the preorder's
// block: the hash of block B is good in block B + 24 and stale in block B + 25.
TEST_F(EngineTest, APreordersConsensusHashIsGoodFor24Blocks) {
  CreateNamespace("test", 0xffffffff);
  const uint32_t base = *node->db->LastBlock().value();
  const std::string ch = node->Ch(base);
  for (int i = 0; i < 23; ++i) MineAndSync();
  uint32_t h = 0;
  for (const Wallet* who : {&alice, &bob}) {
    chain.Op(*who, ops::BuildNamePreorder(MAGIC, *HashName("window.test", who->script, who->address), ch),
             {chain.Pay(*who, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
    h = MineAndSync();
  }
  EXPECT_TRUE(OpAt(h - 1).accepted) << "block " << h - 1 << ": " << OpAt(h - 1).reason;
  EXPECT_EQ(h - 1, base + 24);
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("last 24 blocks"), std::string::npos) << OpAt(h).reason;
}

TEST_F(EngineTest, AnnounceNeedsAnAnnouncerName) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(0x42));
  chain.Op(alice, ops::BuildAnnounce(MAGIC, H160(0x42)), {chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted) << "no announcers configured";
  // with alice.test as an announcer, its own value hash may be announced; also by
  // a node catching up, whose index of name histories is left out meanwhile
  chain.rules.announcers = {"alice.test"};
  for (uint32_t catch_up_blocks : {1000u, 1u}) {
    Node announcing(chain.source, chain.rules, catch_up_blocks);
    announcing.Sync();
    auto ops_at = announcing.db->OpsAt(h);
    ASSERT_EQ(ops_at->size(), 1u);
    EXPECT_TRUE((*ops_at)[0].accepted) << (*ops_at)[0].reason << " " << catch_up_blocks;
    // ANNOUNCE never changes the consensus hash
    EXPECT_EQ(announcing.Ch(h), node->Ch(h));
  }
}

TEST_F(EngineTest, GarbagePayloadsAreNotOperations) {
  for (const char* junk : {"id?", "id:", "id&\x01", "id!", "id>x", "idZ0000"}) {
    chain.Op(alice, util::ToBytes(junk), {chain.Pay(alice, 5000)});
  }
  chain.Op(alice, util::ToBytes("xx?" + std::string(36, 'a')), {chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_TRUE(node->db->OpsAt(h)->empty());
}

class Epoch4Test : public EngineTest {
 protected:
  Epoch4Test() : EngineTest(EpochSchedule::Single(4)) {}
};

TEST_F(Epoch4Test, StacksPaymentsAreRejectedWithoutAccounts) {
  // a 63-byte STACKS preorder parses and is rejected
  util::Bytes body(20, 0x11);
  auto ch = util::FromHex(LastCh()).value();
  body.insert(body.end(), ch.begin(), ch.end());
  util::Bytes tokens(8 + 19, 0);
  tokens[7] = 100;
  std::memcpy(tokens.data() + 8, "STACKS", 6);
  body.insert(body.end(), tokens.begin(), tokens.end());
  chain.Op(alice, ops::MakeOpData(MAGIC, ops::NAME_PREORDER, body),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 1)});
  uint32_t h = MineAndSync();
  ASSERT_EQ(node->db->OpsAt(h)->size(), 1u);
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("STACKS"), std::string::npos);
  // namespaces cannot be bought with BTC from epoch 4
  auto hash = *HashName("late", creator.script, creator.address);
  util::Bytes ns_body(hash.begin(), hash.end());
  ns_body.insert(ns_body.end(), ch.begin(), ch.end());
  ns_body.resize(ns_body.size() + 8, 0);
  chain.Op(creator, ops::MakeOpData(MAGIC, ops::NAMESPACE_PREORDER, ns_body),
           {chain.Pay(creator, 5000), chain.Pay(chain.rules.BurnAddress(), 4100000000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  // a token transfer is an operation from epoch 4, and is rejected without accounts
  util::Bytes tt = util::FromHex(LastCh()).value();
  util::Bytes type(19, 0);
  std::memcpy(type.data(), "STACKS", 6);
  tt.insert(tt.end(), type.begin(), type.end());
  tt.resize(tt.size() + 8, 0);
  tt.back() = 5;
  chain.Op(alice, ops::MakeOpData(MAGIC, ops::TOKEN_TRANSFER, tt), {chain.Pay(bob, 5500)});
  h = MineAndSync();
  ASSERT_EQ(node->db->OpsAt(h)->size(), 1u);
  EXPECT_EQ(OpAt(h).opcode, "TOKEN_TRANSFER");
  EXPECT_FALSE(OpAt(h).accepted);
}

TEST_F(EngineTest, TokenTransferIsNotAnOperationBeforeEpoch4) {
  util::Bytes tt = util::FromHex(LastCh()).value();
  tt.resize(43, 0);
  chain.Op(alice, ops::MakeOpData(MAGIC, ops::TOKEN_TRANSFER, tt), {chain.Pay(bob, 5500)});
  uint32_t h = MineAndSync();
  EXPECT_TRUE(node->db->OpsAt(h)->empty());
}

TEST_F(EngineTest, GracePeriodAllowsOnlyRenewal) {
  CreateNamespace("g", 3);  // 3 blocks x multiplier 2, then 5000 blocks of grace (epoch 3)
  uint32_t reg = Register(alice, "alice.g");
  ASSERT_TRUE(OpAt(reg).accepted) << OpAt(reg).reason;
  while (*node->db->LastBlock().value() < reg + 7) MineAndSync();
  // in grace: update, transfer and revoke are refused; nobody else may register it
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.g", LastCh(), H160(1)), {chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("grace"), std::string::npos);
  chain.Op(alice, ops::BuildTransfer(MAGIC, "alice.g", true, LastCh()), {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  chain.Op(alice, ops::BuildRevoke(MAGIC, "alice.g"), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  h = Register(bob, "alice.g");
  EXPECT_FALSE(OpAt(h).accepted);
  // renewal is allowed, and afterwards updates work again
  chain.Op(alice, ops::BuildRegistration(MAGIC, "alice.g", std::nullopt),
           {chain.Pay(alice, 5500), chain.Pay(alice, 5500), chain.Pay(chain.rules.BurnAddress(), 100000)});
  h = MineAndSync();
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  chain.Op(alice, ops::BuildUpdate(MAGIC, "alice.g", LastCh(), H160(2)), {chain.Pay(alice, 5000)});
  h = MineAndSync();
  EXPECT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
}

TEST_F(EngineTest, PreorderBeforeReadyCannotBeRegistered) {
  CreateNamespace("early", 0xffffffff, /*ready=*/false);
  auto hash = *HashName("first.early", alice.script, alice.address);
  chain.Op(alice, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(alice, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  ASSERT_TRUE(OpAt(MineAndSync()).accepted);
  chain.Op(creator, ops::BuildReady(MAGIC, "early"), {chain.Pay(creator, 5000)});
  ASSERT_TRUE(OpAt(MineAndSync()).accepted);
  chain.Op(alice, ops::BuildRegistration(MAGIC, "first.early", std::nullopt), {chain.Pay(alice, 5500), chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("predates"), std::string::npos);
}

// From epoch 4 a preorder must be registered within 144 blocks. Namespaces cannot
// be bought with BTC in epoch 4, so the namespace is made in epoch 3.
class PreorderExpiryTest : public EngineTest {
 protected:
  PreorderExpiryTest()
      : EngineTest(*EpochSchedule::FromRanges({{3, ChainFixture::FIRST + 5}, {4, OPEN_ENDED}})) {}
};

TEST_F(PreorderExpiryTest, PreordersExpireAfter144BlocksFromEpoch4) {
  CreateNamespace("late", 0xffffffff);
  ASSERT_GE(*node->db->LastBlock().value(), ChainFixture::FIRST + 3);
  while (*node->db->LastBlock().value() <= ChainFixture::FIRST + 5) MineAndSync();
  // within 144 blocks: fine
  uint32_t h = Register(alice, "quick.late");
  EXPECT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  // after 145 blocks: expired
  auto hash = *HashName("slow.late", bob.script, bob.address);
  chain.Op(bob, ops::BuildNamePreorder(MAGIC, hash, LastCh()),
           {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  ASSERT_TRUE(OpAt(MineAndSync()).accepted);
  for (int i = 0; i < 145; ++i) chain.Mine();
  node->Sync();
  chain.Op(bob, ops::BuildRegistration(MAGIC, "slow.late", std::nullopt), {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  h = MineAndSync();
  EXPECT_FALSE(OpAt(h).accepted);
  EXPECT_NE(OpAt(h).reason.find("expired"), std::string::npos);
}

// Expiry and re-registration in epoch 2 (no grace period).
class ExpiryTest : public EngineTest {
 protected:
  ExpiryTest() : EngineTest(EpochSchedule::Single(2)) {}
};

TEST_F(ExpiryTest, ExpiredNameCanBeRegisteredBySomeoneElse) {
  CreateNamespace("exp", 5);  // 5 blocks x multiplier 2 = 10 blocks
  uint32_t h = Register(alice, "short.exp");
  ASSERT_TRUE(OpAt(h).accepted) << OpAt(h).reason;
  // still registered: nobody else can take it (the creator tries; bob's own preorder
  // stays unused, since an unconsumed preorder hash can never be preordered again)
  uint32_t h2 = Register(creator, "short.exp");
  EXPECT_FALSE(OpAt(h2).accepted);
  for (int i = 0; i < 10; ++i) MineAndSync();
  // expired now: updates are refused, bob can register it
  chain.Op(alice, ops::BuildUpdate(MAGIC, "short.exp", LastCh(), H160(9)), {chain.Pay(alice, 5000)});
  uint32_t hu = MineAndSync();
  EXPECT_FALSE(OpAt(hu).accepted);
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
